using System.Globalization;
using System.Text.RegularExpressions;
using Sockchat.E2E.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.E2E;

/// <summary>
/// <c>join</c> at a terminal (a pseudo-terminal, see <see cref="Sandbox.Terminal"/>): keys typed
/// into its line editor are sent with Enter, and lines are coloured unless NO_COLOR is set.
/// </summary>
public sealed partial class TerminalTests(ITestOutputHelper output) : IClassFixture<InstalledTool>
{
    [TerminalFact(Timeout = Timeouts.Test)]
    public async Task A_line_typed_at_the_terminal_reaches_the_room_and_the_screen_is_coloured()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var bob = await ClientProcess.JoinAsync(sandbox, server.Port, "bob");
        var alice = await JoinOnTerminalAsync(sandbox, server.Port, "alice", bob);

        // Act
        await alice.WriteLineAsync("hello from a terminal");

        // Assert
        await bob.WaitForLineAsync(ChatLines.Message("alice", "hello from a terminal"));
        await alice.Stdout.WaitForAsync(line => Sgr().IsMatch(line), "with a colour escape sequence");
        await QuitAsync(alice);
    }

    [TerminalFact(Timeout = Timeouts.Test)]
    public async Task With_NO_COLOR_the_terminal_shows_the_chat_without_colours()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var bob = await ClientProcess.JoinAsync(sandbox, server.Port, "bob");
        var alice = await JoinOnTerminalAsync(sandbox, server.Port, "alice", bob, new Dictionary<string, string> { ["NO_COLOR"] = "1" });

        // Act
        await alice.WriteLineAsync("plain please");
        await bob.WaitForLineAsync(ChatLines.Message("alice", "plain please"));
        await bob.TypeAsync("plain reply");

        // Assert
        await alice.Stdout.WaitForAsync(line => line.Contains("bob: plain reply", StringComparison.Ordinal), "showing bob's reply");
        await QuitAsync(alice);
        Assert.DoesNotContain(alice.Stdout.Lines, line => Sgr().IsMatch(line));
    }

    /// <summary>
    /// Starts <c>join</c> on a terminal and waits until <paramref name="witness"/> has seen it join
    /// and its own screen shows the welcome.
    /// </summary>
    private static async Task<ToolProcess> JoinOnTerminalAsync(
        Sandbox sandbox, int port, string name, ClientProcess witness, Dictionary<string, string>? environment = null)
    {
        // A terminal emulator sets TERM; the test process may have none.
        var variables = new Dictionary<string, string>(environment ?? []) { ["TERM"] = "xterm-256color" };
        var process = await ToolProcess.StartOnTerminalAsync(
            sandbox, ["join", "--name", name, "--port", port.ToString(CultureInfo.InvariantCulture)], variables);
        await process.Stdout.WaitForAsync(line => line.Contains($"welcome to sockchat, {name}.", StringComparison.Ordinal), "with the welcome", Timeouts.Start);
        await witness.WaitForLineAsync(ChatLines.Joined(name));
        return process;
    }

    /// <summary>Types /quit; <c>script -e</c> exits with the tool's own code, 0 for a quit.</summary>
    private static async Task QuitAsync(ToolProcess terminal)
    {
        await terminal.WriteLineAsync("/quit");
        Assert.Equal(0, await terminal.WaitForExitAsync());
    }

    /// <summary>An SGR escape sequence (colour, bold, dim, reset): ESC [ params m.</summary>
    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex Sgr();
}
