using System.Text.RegularExpressions;
using Medallion.Shell;
using Xunit.Sdk;

namespace Sockchat.E2E.Infrastructure;

/// <summary>
/// A running <c>sockchat</c> process started through MedallionShell: its stdout and stderr are
/// pumped line by line into <see cref="LineLog"/>s by background readers, its stdin takes lines.
/// Owned by the <see cref="Sandbox"/> that started it; disposing kills it if it still runs and
/// writes both streams to the test output.
/// </summary>
public sealed class ToolProcess : IAsyncDisposable
{
    /// <summary>SIGTERM on Linux: what service managers and <c>kill</c> send.</summary>
    public static readonly CommandSignal Terminate = CommandSignal.FromSystemValue(15);

    private readonly Sandbox _sandbox;
    private readonly Command _command;
    private readonly Task _pumps;
    private int? _exitCode;
    private int _disposed;

    private ToolProcess(Sandbox sandbox, string label, Command command)
    {
        _sandbox = sandbox;
        _command = command;
        Label = label;
        ProcessId = command.ProcessId;
        Stdout = new LineLog($"{label} (pid {ProcessId}) stdout");
        Stderr = new LineLog($"{label} (pid {ProcessId}) stderr");
        _pumps = Task.WhenAll(Stdout.PumpAsync(command.StandardOutput), Stderr.PumpAsync(command.StandardError), RecordExitAsync());
    }

    /// <summary>Starts <c>sockchat args…</c>; the sandbox kills it at the latest when the test ends.</summary>
    public static ToolProcess Start(
        Sandbox sandbox,
        IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        var process = new ToolProcess(sandbox, "sockchat " + string.Join(' ', args), sandbox.Start(args, environment, workingDirectory));
        sandbox.Own(process);
        return process;
    }

    public string Label { get; }

    public int ProcessId { get; }

    public LineLog Stdout { get; }

    public LineLog Stderr { get; }

    public bool HasExited => _command.Task.IsCompleted;

    /// <summary>Types one line on the process's stdin (flushed at once).</summary>
    public Task WriteLineAsync(string line) => _command.StandardInput.WriteLineAsync(line);

    /// <summary>Closes stdin: end of input, as Ctrl+D or the end of a pipe.</summary>
    public void CloseInput() => _command.StandardInput.Dispose();

    /// <summary>Waits for a stdout line matching <paramref name="pattern"/>; a failure shows stderr too.</summary>
    public async Task<string> WaitForLineAsync(Regex pattern, TimeSpan? timeout = null)
    {
        try
        {
            return await Stdout.WaitForAsync(pattern, timeout);
        }
        catch (XunitException ex)
        {
            throw new XunitException($"{ex.Message}{Environment.NewLine}{Stderr.Describe()}");
        }
    }

    /// <summary>Waits (bounded) for the process to exit and its output to be read to the end; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? Timeouts.Exit;
        try
        {
            var result = await _command.Task.WaitAsync(limit);
            await _pumps.WaitAsync(limit);
            return result.ExitCode;
        }
        catch (TimeoutException)
        {
            throw new XunitException($"{Label} did not exit within {limit.TotalSeconds:0} s.{Environment.NewLine}{Describe()}");
        }
    }

    /// <summary>Sends a signal (e.g. <see cref="Terminate"/> or <see cref="CommandSignal.ControlC"/>); false if it had exited.</summary>
    public Task<bool> SignalAsync(CommandSignal signal) => _command.TrySignalAsync(signal);

    /// <summary>Kills the process outright (SIGKILL): no chance to say goodbye.</summary>
    public void Kill() => _command.Kill();

    public string Describe() =>
        $"=== {Label} (pid {ProcessId}){(_exitCode is { } code ? $", exit code {code}" : HasExited ? ", exited" : ", running")}"
        + $"{Environment.NewLine}{Stdout.Describe()}{Environment.NewLine}{Stderr.Describe()}";

    private async Task RecordExitAsync()
    {
        var result = await _command.Task;
        _exitCode = result.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        try
        {
            if (!HasExited)
            {
                _command.Kill();
            }
            await _command.Task.WaitAsync(Timeouts.Exit);
            await _pumps.WaitAsync(Timeouts.Exit);
        }
        catch (TimeoutException)
        {
            _sandbox.WriteOutput($"{Label} (pid {ProcessId}) could not be stopped within {Timeouts.Exit.TotalSeconds:0} s.");
        }
        finally
        {
            _sandbox.WriteOutput(Describe());
            ((IDisposable)_command).Dispose();
        }
    }
}
