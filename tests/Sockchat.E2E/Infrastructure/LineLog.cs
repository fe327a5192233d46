using System.Text;
using System.Text.RegularExpressions;
using Xunit.Sdk;

namespace Sockchat.E2E.Infrastructure;

/// <summary>
/// The lines one stream has produced so far (a process's stdout or stderr, a socket), filled by a
/// background pump. Tests wait for an expected line with a bounded timeout: each new line (and
/// the end of the stream) wakes the waiters, so nothing ever sleeps to "let things settle".
/// </summary>
public sealed class LineLog(string name)
{
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private TaskCompletionSource _changed = NewSignal();
    private bool _ended;

    public string Name { get; } = name;

    /// <summary>Every line so far, in order.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return _lines.ToArray();
            }
        }
    }

    /// <summary>True once the stream has ended.</summary>
    public bool Ended
    {
        get
        {
            lock (_gate)
            {
                return _ended;
            }
        }
    }

    /// <summary>Reads <paramref name="reader"/> to its end, line by line, then marks the log ended.</summary>
    public async Task PumpAsync(TextReader reader)
    {
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                Add(line);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The process or socket went away mid-read: the stream has ended all the same.
        }
        finally
        {
            End();
        }
    }

    public void Add(string line) => Signal(() => _lines.Add(line));

    public void End() => Signal(() => _ended = true);

    /// <summary>Waits for the first line (already seen or still to come) matching <paramref name="pattern"/>.</summary>
    public Task<string> WaitForAsync(Regex pattern, TimeSpan? timeout = null) =>
        WaitForAsync(pattern.IsMatch, $"matching /{pattern}/", timeout);

    /// <summary>Waits for the first line (already seen or still to come) that satisfies <paramref name="predicate"/>.</summary>
    /// <exception cref="XunitException">no such line within the timeout, or the stream ended without one</exception>
    public async Task<string> WaitForAsync(Func<string, bool> predicate, string description, TimeSpan? timeout = null)
    {
        var next = 0;
        string? found = null;
        await WaitUntilAsync(
            () =>
            {
                for (; next < _lines.Count; next++)
                {
                    if (predicate(_lines[next]))
                    {
                        found = _lines[next];
                        return true;
                    }
                }
                return _ended
                    ? throw new XunitException($"{Name} ended without a line {description}.{Environment.NewLine}{DescribeLocked()}")
                    : false;
            },
            $"no line {description}",
            timeout);
        return found!;
    }

    /// <summary>Waits until the stream has ended (the process closed it, or exited).</summary>
    public Task WaitForEndAsync(TimeSpan? timeout = null) => WaitUntilAsync(() => _ended, "no end", timeout);

    /// <summary>Re-checks <paramref name="done"/> (under the lock) after every change, until it holds or time runs out.</summary>
    private async Task WaitUntilAsync(Func<bool> done, string failure, TimeSpan? timeout)
    {
        var limit = timeout ?? Timeouts.Line;
        using var deadline = new CancellationTokenSource(limit);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (done())
                {
                    return;
                }
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                throw new XunitException($"{Name} showed {failure} within {limit.TotalSeconds:0} s.{Environment.NewLine}{Describe()}");
            }
        }
    }

    /// <summary>The lines so far, for failure messages and test output.</summary>
    public string Describe()
    {
        lock (_gate)
        {
            return DescribeLocked();
        }
    }

    private string DescribeLocked()
    {
        var text = new StringBuilder($"--- {Name} ({_lines.Count} lines{(_ended ? ", ended" : "")}):");
        foreach (var line in _lines)
        {
            text.AppendLine().Append("  | ").Append(line);
        }
        return text.ToString();
    }

    private void Signal(Action change)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            change();
            changed = _changed;
            _changed = NewSignal();
        }
        changed.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
