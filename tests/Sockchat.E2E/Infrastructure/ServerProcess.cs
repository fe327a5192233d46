using System.Globalization;
using System.Text.RegularExpressions;

namespace Sockchat.E2E.Infrastructure;

/// <summary>
/// A running <c>sockchat serve</c>, by default on <c>--port 0</c>. <see cref="StartAsync"/>
/// returns once the server has printed <c>listening on HOST:PORT</c>, which is when it accepts
/// connections and tells the port the system chose, and then (unless <c>--no-web</c>) <c>web on
/// URL</c>. The web port is a free one (<c>--web-port 0</c>) unless the test names one, so that two
/// tests never meet on chat port + 1. Its logs (stderr) go to the test output.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private ServerProcess(ToolProcess process, string listeningLine, int port, Uri? webUrl)
    {
        Process = process;
        ListeningLine = listeningLine;
        Port = port;
        WebUrl = webUrl;
    }

    /// <summary>The web page's address from the <c>web on URL</c> line; null with <c>--no-web</c>.</summary>
    public Uri? WebUrl { get; }

    public ToolProcess Process { get; }

    /// <summary>The ready line exactly as printed.</summary>
    public string ListeningLine { get; }

    public int Port { get; }

    /// <summary>Starts a server (on a free port unless <paramref name="port"/> is given) and waits (bounded) until it listens.</summary>
    public static async Task<ServerProcess> StartAsync(Sandbox sandbox, int port = 0, IReadOnlyList<string>? extraArgs = null)
    {
        var args = extraArgs ?? [];
        var web = !args.Contains("--no-web");
        var webPort = web && !args.Contains("--web-port") ? (string[])["--web-port", "0"] : [];
        var process = await ToolProcess.StartAsync(sandbox, ["serve", "--port", port.ToString(CultureInfo.InvariantCulture), .. webPort, .. args]);
        try
        {
            var line = await process.WaitForLineAsync(Listening(), Timeouts.Start);
            var listening = int.Parse(Listening().Match(line).Groups["port"].Value, CultureInfo.InvariantCulture);
            Uri? webUrl = null;
            if (web)
            {
                var webLine = await process.WaitForLineAsync(WebOn(), Timeouts.Start);
                webUrl = new Uri(WebOn().Match(webLine).Groups["url"].Value);
            }
            return new ServerProcess(process, line, listening, webUrl);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
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

    [GeneratedRegex(@"^web on (?<url>https?://\S+)$")]
    private static partial Regex WebOn();
}
