using System.Text.RegularExpressions;
using Sockchat.E2E.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.E2E;

/// <summary>
/// The server going away: stopped politely by a signal (everyone is told and exits cleanly), or
/// killed outright (clients reconnect to its successor and nothing acknowledged is lost).
/// </summary>
public sealed class ShutdownTests(ITestOutputHelper output) : IClassFixture<InstalledTool>
{
    [Theory(Timeout = Timeouts.Test)]
    [InlineData(ToolProcess.SigTerm)]
    [InlineData(ToolProcess.SigInt)]
    public async Task A_signalled_server_tells_every_client_it_is_shutting_down_and_all_exit_0(int signal)
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");
        var bob = await ClientProcess.JoinAsync(sandbox, server.Port, "bob");
        var bot = await RawClient.ConnectAsync(sandbox, server.Port, "bot");
        await bot.SendLineAsync("""{"type":"hello","name":"bot"}""");
        await bot.WaitForFrameAsync("welcome");

        // Act
        var serverExitCode = await server.StopAsync(signal);

        // Assert
        foreach (var client in new[] { alice, bob })
        {
            await client.WaitForLineAsync(ChatLines.ServerShuttingDown);
            await client.WaitForLineAsync(ChatLines.DisconnectedByShutdown);
            Assert.Equal(0, await client.WaitForExitAsync());
        }
        var shutdown = await bot.WaitForFrameAsync("shutdown");
        Assert.False(string.IsNullOrWhiteSpace(shutdown.GetProperty("reason").GetString()));
        await bot.WaitForCloseAsync();
        Assert.Equal(0, serverExitCode);
        // stdout carries the one ready line only; the logs went to stderr.
        Assert.Equal([server.ListeningLine, $"web on {server.WebUrl}"], server.Process.Stdout.Lines);
        Assert.Contains(server.Process.Stderr.Lines, line => line.Contains("stopped", StringComparison.Ordinal));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_client_told_not_to_reconnect_says_the_connection_was_lost_and_exits_6()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice", "--reconnect-seconds", "0");

        // Act
        server.Process.Kill();

        // Assert
        await alice.WaitForLineAsync(ChatLines.DisconnectedByLostConnection);
        Assert.Equal(6, await alice.WaitForExitAsync());
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Clients_of_a_killed_server_reconnect_to_its_successor_without_losing_or_repeating_a_message()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        string[] history = ["--history-db", Path.Combine(sandbox.Root, "history.db")];
        var first = await ServerProcess.StartAsync(sandbox, extraArgs: history);
        var alice = await ClientProcess.JoinAsync(sandbox, first.Port, "alice");
        var bob = await ClientProcess.JoinAsync(sandbox, first.Port, "bob");
        await alice.TypeAsync("before the crash");
        await bob.WaitForLineAsync(ChatLines.Message("alice", "before the crash"));

        // Act
        first.Process.Kill();
        await first.Process.WaitForExitAsync();
        await alice.WaitForLineAsync(ChatLines.Reconnecting);
        await bob.WaitForLineAsync(ChatLines.Reconnecting);
        await alice.TypeAsync("typed while away");
        var second = await ServerProcess.StartAsync(sandbox, port: first.Port, extraArgs: history);
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{second.Port}", "posted after the restart"]);

        // Assert
        Assert.Equal(0, say.ExitCode);
        foreach (var client in new[] { alice, bob })
        {
            await client.WaitForLineAsync(ChatLines.Reconnected);
            await client.WaitForLineAsync(ChatLines.MessageLiveOrReplayed("alice", "typed while away"));
            await client.WaitForLineAsync(ChatLines.MessageLiveOrReplayed("ci", "posted after the restart"));
            // Whether a message came live or as what was missed, each shows exactly once.
            AssertShownOnce(client, ChatLines.MessageLiveOrReplayed("alice", "before the crash"));
            AssertShownOnce(client, ChatLines.MessageLiveOrReplayed("alice", "typed while away"));
            AssertShownOnce(client, ChatLines.MessageLiveOrReplayed("ci", "posted after the restart"));
        }
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_message_acknowledged_to_say_survives_the_server_being_killed_at_once()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        string[] history = ["--history-db", Path.Combine(sandbox.Root, "history.db")];
        var first = await ServerProcess.StartAsync(sandbox, extraArgs: history);

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{first.Port}", "acknowledged means stored"]);
        first.Process.Kill();
        await first.Process.WaitForExitAsync();
        var second = await ServerProcess.StartAsync(sandbox, extraArgs: history);
        var carol = await ClientProcess.JoinAsync(sandbox, second.Port, "carol");

        // Assert
        Assert.Equal(0, say.ExitCode);
        await carol.WaitForLineAsync(ChatLines.HistoryMessage("ci", "acknowledged means stored"));
    }

    private static void AssertShownOnce(ClientProcess client, Regex message) =>
        Assert.Single(client.Output.Lines, message.IsMatch);
}
