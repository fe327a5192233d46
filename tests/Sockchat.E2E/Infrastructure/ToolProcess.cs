using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using CliWrap;
using CliWrap.EventStream;
using Xunit.Sdk;

namespace Sockchat.E2E.Infrastructure;

/// <summary>
/// A running <c>sockchat</c> process started through CliWrap: its event stream (started, each
/// stdout and stderr line, exited) is read by a background pump into <see cref="LineLog"/>s; its
/// stdin is a pipe source that writes each line as the test types it and ends when the test
/// closes the input. A kill is CliWrap's forceful cancellation; signals (Ctrl+C's SIGINT,
/// SIGTERM) are a libc <c>kill</c> (see <see cref="Signal"/>). Owned by the <see cref="Sandbox"/> that started it;
/// disposing kills it if it still runs and writes both streams to the test output.
/// </summary>
public sealed class ToolProcess : IAsyncDisposable
{
    /// <summary>SIGINT: Ctrl+C at a terminal.</summary>
    public const int SigInt = 2;

    /// <summary>SIGTERM on Linux: what service managers and <c>kill</c> send.</summary>
    public const int SigTerm = 15;

    private const int KilledExitCode = 128 + 9;

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private readonly Sandbox _sandbox;
    private readonly string _enter;
    private readonly Channel<TypedLine> _input = Channel.CreateUnbounded<TypedLine>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _kill = new();
    private readonly TaskCompletionSource<int> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _events;
    private int? _exitCode;
    private int _disposed;

    private ToolProcess(Sandbox sandbox, string label, Command command, string enter)
    {
        _sandbox = sandbox;
        _enter = enter;
        Label = label;
        Stdout = new LineLog($"{label} stdout");
        Stderr = new LineLog($"{label} stderr");
        _events = PumpEventsAsync(command.WithStandardInputPipe(PipeSource.Create(FeedInputAsync)));
    }

    /// <summary>Starts <c>sockchat args…</c> (waits until it has a pid); the sandbox kills it at the latest when the test ends.</summary>
    public static Task<ToolProcess> StartAsync(
        Sandbox sandbox,
        IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null) =>
        StartAsync(sandbox, "sockchat " + string.Join(' ', args), sandbox.Tool(args, environment, workingDirectory), enter: "\n");

    /// <summary>
    /// Starts <c>sockchat args…</c> on a pseudo-terminal (<see cref="Sandbox.Terminal"/>): stdout is
    /// what the terminal shows, escape sequences and all, and a typed line ends with the Enter key's
    /// carriage return.
    /// </summary>
    public static Task<ToolProcess> StartOnTerminalAsync(
        Sandbox sandbox,
        IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string>? environment = null) =>
        StartAsync(sandbox, "(terminal) sockchat " + string.Join(' ', args), sandbox.Terminal(args, environment, workingDirectory: null), enter: "\r");

    /// <summary>Starts another program (a script of the repository, say) the same way: output logged, killed by the sandbox at the latest.</summary>
    public static Task<ToolProcess> StartCommandAsync(Sandbox sandbox, string label, Command command) =>
        StartAsync(sandbox, label, command.WithValidation(CommandResultValidation.None), enter: "\n");

    /// <summary>Sends <paramref name="signal"/> to any process (one a started script started, say); 0 when it was sent.</summary>
    public static int Signal(int pid, int signal) => SendSignal(pid, signal);

    private static async Task<ToolProcess> StartAsync(Sandbox sandbox, string label, Command command, string enter)
    {
        var process = new ToolProcess(sandbox, label, command, enter);
        sandbox.Own(process);
        process.ProcessId = await process._started.Task.WaitAsync(Timeouts.Start);
        return process;
    }

    public string Label { get; }

    public int ProcessId { get; private set; }

    public LineLog Stdout { get; }

    public LineLog Stderr { get; }

    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>Types one line on the process's stdin and waits (bounded) until it is written and flushed.</summary>
    /// <exception cref="IOException">its input was closed, or it has exited</exception>
    public async Task WriteLineAsync(string line)
    {
        var typed = new TypedLine(line + _enter);
        if (!_input.Writer.TryWrite(typed))
        {
            throw new IOException($"The input of {Label} is closed.");
        }
        await typed.Written.Task.WaitAsync(Timeouts.Line);
    }

    /// <summary>Closes stdin: end of input, as Ctrl+D or the end of a pipe.</summary>
    public void CloseInput() => _input.Writer.TryComplete();

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
            return await _exited.Task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new XunitException($"{Label} did not exit within {limit.TotalSeconds:0} s.{Environment.NewLine}{Describe()}");
        }
    }

    /// <summary>
    /// Sends <paramref name="signal"/> (e.g. <see cref="SigInt"/>, <see cref="SigTerm"/>) through libc
    /// <c>kill</c>; false if it had exited. CliWrap has no API for SIGTERM, and its graceful
    /// cancellation, which sends SIGINT the same way, ends the run with an OperationCanceledException
    /// instead of the exit code, while what a signalled sockchat exits with (0 for serve, 130 for
    /// join) is what the tests check.
    /// </summary>
    public bool Signal(int signal) => !HasExited && SendSignal(ProcessId, signal) == 0;

    /// <summary>
    /// Kills the process outright (CliWrap's forceful cancellation, SIGKILL): no chance to say
    /// goodbye. Its exit code is then reported as 137 (128 + SIGKILL), as .NET and shells do.
    /// </summary>
    public void Kill() => _kill.Cancel();

    public string Describe() =>
        $"=== {Label} (pid {ProcessId}){(_exitCode is { } code ? $", exit code {code}" : HasExited ? ", exited" : ", running")}"
        + $"{Environment.NewLine}{Stdout.Describe()}{Environment.NewLine}{Stderr.Describe()}";

    /// <summary>
    /// Reads the event stream to its end; a kill ends it with an OperationCanceledException (after
    /// CliWrap has waited for the exit) instead of the exit event.
    /// </summary>
    private async Task PumpEventsAsync(Command command)
    {
        try
        {
            await foreach (var commandEvent in command.ListenAsync(Utf8, Utf8, _kill.Token))
            {
                switch (commandEvent)
                {
                    case StartedCommandEvent started:
                        _started.TrySetResult(started.ProcessId);
                        break;
                    case StandardOutputCommandEvent output:
                        Stdout.Add(output.Text);
                        break;
                    case StandardErrorCommandEvent error:
                        Stderr.Add(error.Text);
                        break;
                    case ExitedCommandEvent exited:
                        RecordExit(exited.ExitCode);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (_kill.IsCancellationRequested)
        {
            RecordExit(KilledExitCode);
        }
        catch (Exception ex)
        {
            _started.TrySetException(ex);
            _exited.TrySetException(ex);
        }
        finally
        {
            Stdout.End();
            Stderr.End();
        }
    }

    private void RecordExit(int exitCode)
    {
        _exitCode = exitCode;
        _exited.TrySetResult(exitCode);
    }

    /// <summary>The stdin pipe source: writes each typed line as it comes, until the input is closed or the process exits.</summary>
    private async Task FeedInputAsync(Stream stdin, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var typed in _input.Reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    await stdin.WriteAsync(Utf8.GetBytes(typed.Text), cancellationToken);
                    await stdin.FlushAsync(cancellationToken);
                    typed.Written.TrySetResult();
                }
                catch (Exception ex)
                {
                    typed.Written.TrySetException(ex);
                    throw;
                }
            }
        }
        finally
        {
            // Lines typed after the end of input fail at once instead of waiting for a reader.
            _input.Writer.TryComplete();
            while (_input.Reader.TryRead(out var unwritten))
            {
                unwritten.Written.TrySetException(new IOException($"The input of {Label} was closed before this line was written."));
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

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
                _kill.Cancel();
            }
            await _events.WaitAsync(Timeouts.Exit);
        }
        catch (TimeoutException)
        {
            _sandbox.WriteOutput($"{Label} (pid {ProcessId}) could not be stopped within {Timeouts.Exit.TotalSeconds:0} s.");
        }
        finally
        {
            _sandbox.WriteOutput(Describe());
            _input.Writer.TryComplete();
        }
    }

    private sealed record TypedLine(string Text)
    {
        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
