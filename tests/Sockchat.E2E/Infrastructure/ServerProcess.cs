using System.Globalization;
using System.Text.RegularExpressions;

namespace Sockchat.E2E.Infrastructure;

/// <summary>
/// A running <c>sockchat serve</c>, by default on <c>--port 0</c>. <see cref="StartAsync"/>
/// returns once the server has printed its one stdout line, <c>listening on HOST:PORT</c>, which
/// is when it accepts connections and tells the port the system chose. Its logs (stderr) go to
/// the test output.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private ServerProcess(ToolProcess process, string listeningLine, int port)
    {
        Process = process;
        ListeningLine = listeningLine;
        Port = port;
    }

    public ToolProcess Process { get; }

    /// <summary>The ready line exactly as printed.</summary>
    public string ListeningLine { get; }

    public int Port { get; }

    /// <summary>Starts a server (on a free port unless <paramref name="port"/> is given) and waits (bounded) until it listens.</summary>
    public static async Task<ServerProcess> StartAsync(Sandbox sandbox, int port = 0, IReadOnlyList<string>? extraArgs = null)
    {
        var process = await ToolProcess.StartAsync(sandbox, ["serve", "--port", port.ToString(CultureInfo.InvariantCulture), .. extraArgs ?? []]);
        var line = await process.WaitForLineAsync(Listening(), Timeouts.Start);
        var listening = int.Parse(Listening().Match(line).Groups["port"].Value, CultureInfo.InvariantCulture);
        return new ServerProcess(process, line, listening);
    }

    /// <summary>Asks the server to stop with <paramref name="signal"/> (SIGTERM by default) and returns its exit code.</summary>
    public Task<int> StopAsync(int signal = ToolProcess.SigTerm)
    {
        Process.Signal(signal);
        return Process.WaitForExitAsync();
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    [GeneratedRegex(@"^listening on (?<host>\S+):(?<port>\d+)$")]
    private static partial Regex Listening();
}
