using Sockchat.E2E.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.E2E;

/// <summary>Who is here: join and leave notices, taken names, clients that vanish.</summary>
public sealed class PresenceTests(ITestOutputHelper output) : IClassFixture<InstalledTool>
{
    [Fact(Timeout = Timeouts.Test)]
    public async Task A_join_and_a_quit_are_announced_to_the_others()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");
        var bob = await ClientProcess.JoinAsync(sandbox, server.Port, "bob");

        // Act
        var carol = await ClientProcess.JoinAsync(sandbox, server.Port, "carol");
        await alice.WaitForLineAsync(ChatLines.Joined("bob"));
        await alice.WaitForLineAsync(ChatLines.Joined("carol"));
        await bob.WaitForLineAsync(ChatLines.Joined("carol"));
        await carol.TypeAsync("/quit");

        // Assert
        Assert.Equal(0, await carol.WaitForExitAsync());
        await alice.WaitForLineAsync(ChatLines.Left("carol", "quit"));
        await bob.WaitForLineAsync(ChatLines.Left("carol", "quit"));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task The_end_of_a_clients_input_is_announced_as_a_quit()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");
        var carol = await ClientProcess.JoinAsync(sandbox, server.Port, "carol");

        // Act
        carol.CloseInput();

        // Assert
        Assert.Equal(0, await carol.WaitForExitAsync());
        await alice.WaitForLineAsync(ChatLines.Left("carol", "quit"));
    }

    [Theory(Timeout = Timeouts.Test)]
    [InlineData("alice")]
    [InlineData("ALICE")]
    public async Task A_second_client_with_a_taken_name_is_refused_with_exit_code_4(string name)
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");

        // Act
        var second = await sandbox.RunAsync(["join", "--name", name, "--port", $"{server.Port}"]);

        // Assert
        Assert.Equal(4, second.ExitCode);
        var error = Assert.Single(second.StderrLines);
        Assert.Contains("name_taken", error, StringComparison.Ordinal);
        Assert.DoesNotContain(second.StdoutLines, line => line.StartsWith("* welcome", StringComparison.Ordinal));
        // The first alice is undisturbed: she still chats under her name, and the only join she
        // has seen is her own.
        await alice.TypeAsync("still here");
        await alice.WaitForLineAsync(ChatLines.Message("alice", "still here"));
        Assert.Single(alice.Output.Lines, line => line.Contains(" joined #", StringComparison.Ordinal));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_client_killed_outright_is_announced_as_disconnected()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");
        var dave = await ClientProcess.JoinAsync(sandbox, server.Port, "dave");
        await alice.WaitForLineAsync(ChatLines.Joined("dave"));

        // Act
        dave.Process.Kill();

        // Assert
        await alice.WaitForLineAsync(ChatLines.Left("dave", "disconnected"));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_client_interrupted_with_ctrl_c_says_goodbye_and_exits_130()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");
        var carol = await ClientProcess.JoinAsync(sandbox, server.Port, "carol");

        // Act
        Assert.True(carol.Process.Signal(ToolProcess.SigInt));

        // Assert
        Assert.Equal(130, await carol.WaitForExitAsync());
        await alice.WaitForLineAsync(ChatLines.Left("carol", "quit"));
    }
}
