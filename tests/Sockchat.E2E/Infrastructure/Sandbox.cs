using System.Globalization;
using System.Text;
using CliWrap;
using CliWrap.Buffered;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Sockchat.E2E.Infrastructure;

/// <summary>
/// One test's isolated world: a fresh temp folder as working directory (with its own HOME,
/// XDG_CONFIG_HOME and XDG_DATA_HOME, so no user chat.json leaks in and the server's default
/// history file starts empty), an explicit environment (inherited <c>SOCKCHAT_*</c> variables
/// removed), and ownership of every process and socket the test starts through it. Disposing the sandbox kills whatever still runs, in reverse order of
/// starting, writes what each produced to the test output, then deletes the folder; so a failing
/// test never leaves a sockchat process behind.
/// </summary>
public sealed class Sandbox : IAsyncDisposable
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private static readonly Lazy<bool> InterruptIgnoredHere = new(() =>
    {
        // Linux: "SigIgn:\t0000000000000006" is the mask of ignored signals; bit 1 is SIGINT (2).
        const string status = "/proc/self/status";
        var mask = File.Exists(status)
            ? File.ReadLines(status).FirstOrDefault(line => line.StartsWith("SigIgn:", StringComparison.Ordinal))
            : null;
        return mask is not null
            && ulong.TryParse(mask["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, null, out var ignored)
            && (ignored & (1UL << (2 - 1))) != 0;
    });

    private readonly Lock _gate = new();
    private readonly List<IAsyncDisposable> _owned = [];

    public Sandbox(ITestOutputHelper output)
    {
        Output = output;
        Root = Directory.CreateTempSubdirectory("sockchat-e2e-").FullName;
        Home = Directory.CreateDirectory(Path.Combine(Root, "home")).FullName;
        ConfigHome = Directory.CreateDirectory(Path.Combine(Root, "config")).FullName;
        DataHome = Directory.CreateDirectory(Path.Combine(Root, "data")).FullName;
        WorkingDirectory = Directory.CreateDirectory(Path.Combine(Root, "work")).FullName;
    }

    public ITestOutputHelper Output { get; }

    public string Root { get; }

    /// <summary>The processes' HOME.</summary>
    public string Home { get; }

    /// <summary>The processes' XDG_CONFIG_HOME (the user's chat.json would be in sockchat/ below it).</summary>
    public string ConfigHome { get; }

    /// <summary>The processes' XDG_DATA_HOME (the server's default history file is sockchat/history.db below it).</summary>
    public string DataHome { get; }

    /// <summary>Where processes run unless told otherwise: a ./chat.json here is read by all of them.</summary>
    public string WorkingDirectory { get; }

    /// <summary>Writes a file (a full path, or one relative to <see cref="Root"/>), creating folders as needed; returns its full path.</summary>
    public string WriteFile(string path, string content)
    {
        var full = Path.Combine(Root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content, Utf8);
        return full;
    }

    /// <summary>Creates (if needed) a folder below <see cref="Root"/> and returns its full path.</summary>
    public string CreateFolder(string relativePath) => Directory.CreateDirectory(Path.Combine(Root, relativePath)).FullName;

    /// <summary>
    /// Runs <c>sockchat</c> to completion: writes <paramref name="input"/> to its stdin, closes it,
    /// and waits (bounded; the process is killed past <see cref="Timeouts.Exit"/>) for the exit.
    /// </summary>
    public async Task<ToolResult> RunAsync(
        IReadOnlyList<string> args,
        IEnumerable<string>? input = null,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        // A process that exits before reading its input (a usage error, say) is fine: CliWrap
        // ignores the broken pipe and the exit code tells.
        var stdin = string.Concat((input ?? []).Select(line => line + "\n"));
        using var deadline = new CancellationTokenSource(Timeouts.Exit);
        BufferedCommandResult result;
        try
        {
            result = await Tool(args, environment, workingDirectory)
                .WithStandardInputPipe(PipeSource.FromString(stdin, Utf8))
                .ExecuteBufferedAsync(Utf8, Utf8, deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new XunitException($"sockchat {string.Join(' ', args)} did not exit within {Timeouts.Exit.TotalSeconds:0} s and was killed.");
        }
        var run = new ToolResult(string.Join(' ', args), result.ExitCode, result.StandardOutput, result.StandardError);
        WriteOutput(run.ToString());
        return run;
    }

    /// <summary>
    /// The installed <c>sockchat args…</c> (<see cref="InstalledTool"/>) as a CliWrap command, not yet
    /// started, with this sandbox's working directory and environment and no exit-code validation.
    /// </summary>
    internal Command Tool(
        IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string>? environment,
        string? workingDirectory)
    {
        // A background job of a non-interactive shell (`dotnet test &` in a script) ignores SIGINT,
        // its children inherit that, and the .NET runtime keeps an inherited SIG_IGN. Then Ctrl+C
        // could never reach the tool, so it is started through `env --default-signal=INT`, which
        // restores the default handling (as at a terminal) and execs it under the same pid.
        string[] tool = [InstalledTool.Executable, .. args];
        string[] launch = InterruptIgnoredHere.Value ? ["env", "--default-signal=INT", .. tool] : tool;
        return Launch(launch, environment, workingDirectory);
    }

    /// <summary>
    /// <c>sockchat args…</c> on a pseudo-terminal, as a user at a terminal runs it: util-linux
    /// <c>script -qfec CMD /dev/null</c> gives the tool a terminal for stdin and stdout (so it draws
    /// its line editor and colours) and relays the terminal's output to its own stdout, what the
    /// command's stdin sends being typed on it. <c>-e</c> returns the tool's exit code.
    /// </summary>
    internal Command Terminal(
        IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string>? environment,
        string? workingDirectory)
    {
        var commandLine = string.Join(' ', new[] { InstalledTool.Executable }.Concat(args).Select(ShellQuote));
        return Launch(["script", "-qfec", commandLine, "/dev/null"], environment, workingDirectory);

        static string ShellQuote(string word) => "'" + word.Replace("'", @"'\''", StringComparison.Ordinal) + "'";
    }

    private Command Launch(string[] launch, IReadOnlyDictionary<string, string>? environment, string? workingDirectory) =>
        Cli.Wrap(launch[0])
            .WithArguments(launch[1..])
            .WithWorkingDirectory(workingDirectory ?? WorkingDirectory)
            .WithEnvironmentVariables(Isolated(environment))
            .WithValidation(CommandResultValidation.None);

    /// <summary>The environment changes for a process: a null value removes an inherited variable.</summary>
    private Dictionary<string, string?> Isolated(IReadOnlyDictionary<string, string>? environment)
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var key in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (key.StartsWith("SOCKCHAT_", StringComparison.OrdinalIgnoreCase))
            {
                variables[key] = null;
            }
        }
        variables["HOME"] = Home;
        variables["XDG_CONFIG_HOME"] = ConfigHome;
        variables["XDG_DATA_HOME"] = DataHome;
        variables["USER"] = "e2e";
        variables["DOTNET_NOLOGO"] = "1";
        // join colours its lines at a terminal unless NO_COLOR is set: only a test that says so sets it.
        variables["NO_COLOR"] = null;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            variables[key] = value;
        }
        return variables;
    }

    /// <summary>Takes ownership: disposed (killed) with the sandbox unless disposed earlier.</summary>
    internal void Own(IAsyncDisposable resource)
    {
        lock (_gate)
        {
            _owned.Add(resource);
        }
    }

    /// <summary>Writes to the test output; silently dropped once the test is over (an abandoned, timed-out test).</summary>
    internal void WriteOutput(string text)
    {
        try
        {
            Output.WriteLine(text);
        }
        catch (InvalidOperationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        IAsyncDisposable[] owned;
        lock (_gate)
        {
            owned = [.. _owned];
            _owned.Clear();
        }
        // One failing disposal must not leave the others' processes running: dispose them all, then report.
        var failures = new List<Exception>();
        for (var i = owned.Length - 1; i >= 0; i--)
        {
            try
            {
                await owned[i].DisposeAsync();
            }
            catch (Exception ex)
            {
                failures.Add(ex);
            }
        }
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still open somewhere; the temp folder is cleaned by the system eventually.
        }
        if (failures.Count > 0)
        {
            throw new AggregateException("Stopping the sandbox's processes failed.", failures);
        }
    }
}
