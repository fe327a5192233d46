using System.Globalization;
using System.Text.RegularExpressions;

namespace Sockchat.E2E.Infrastructure;

/// <summary>
/// A running <c>sockchat join</c>, driven through its pipes as a script or a user would: lines
/// typed on stdin (plain text is a message, /commands are commands), the plain lines it prints
/// on stdout (stdout is not a terminal here, so no colours and no line editor).
/// </summary>
public sealed class ClientProcess : IAsyncDisposable
{
    private ClientProcess(ToolProcess process) => Process = process;

    public ToolProcess Process { get; }

    /// <summary>Everything printed on stdout so far.</summary>
    public LineLog Output => Process.Stdout;

    /// <summary>
    /// Joins as <paramref name="name"/> (with any further options, e.g. <c>--room dev</c>) and
    /// waits for the client's own welcome: from then on the server has registered it, so
    /// messages sent to its room reach it.
    /// </summary>
    public static async Task<ClientProcess> JoinAsync(Sandbox sandbox, int port, string name, params string[] extraArgs)
    {
        var client = await StartAsync(sandbox, ["--name", name, "--port", port.ToString(CultureInfo.InvariantCulture), .. extraArgs]);
        await client.WaitForLineAsync(ChatLines.Welcome(name), Timeouts.Start);
        return client;
    }

    /// <summary>Starts <c>sockchat join args…</c> without waiting for anything (for configuration tests).</summary>
    public static async Task<ClientProcess> StartAsync(
        Sandbox sandbox,
        IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null) =>
        new(await ToolProcess.StartAsync(sandbox, ["join", .. args], environment, workingDirectory));

    /// <summary>Types one line and presses Enter.</summary>
    public Task TypeAsync(string line) => Process.WriteLineAsync(line);

    public Task<string> WaitForLineAsync(Regex pattern, TimeSpan? timeout = null) => Process.WaitForLineAsync(pattern, timeout);

    /// <summary>Ends stdin, as Ctrl+D or the end of a pipe would.</summary>
    public void CloseInput() => Process.CloseInput();

    public Task<int> WaitForExitAsync(TimeSpan? timeout = null) => Process.WaitForExitAsync(timeout);

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
