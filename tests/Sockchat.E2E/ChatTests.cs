using Sockchat.E2E.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.E2E;

/// <summary>Messages between <c>join</c> clients: to the room, private, and under a new name.</summary>
public sealed class ChatTests(ITestOutputHelper output) : IClassFixture<InstalledTool>
{
    [Fact(Timeout = Timeouts.Test)]
    public async Task A_message_from_one_client_reaches_the_other_two_with_name_and_time()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var (alice, bob, carol) = await JoinThreeAsync(sandbox, server.Port);

        // Act
        await alice.TypeAsync("hello everyone");

        // Assert
        await bob.WaitForLineAsync(ChatLines.Message("alice", "hello everyone"));
        await carol.WaitForLineAsync(ChatLines.Message("alice", "hello everyone"));
        await alice.WaitForLineAsync(ChatLines.Message("alice", "hello everyone"));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_private_message_reaches_only_its_target()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var (alice, bob, carol) = await JoinThreeAsync(sandbox, server.Port);

        // Act
        await alice.TypeAsync("/msg bob secret");
        await alice.TypeAsync("public follow-up");

        // Assert
        await bob.WaitForLineAsync(ChatLines.DirectMessage("alice", "bob", "secret"));
        await alice.WaitForLineAsync(ChatLines.DirectMessage("alice", "bob", "secret"));
        // The server handles alice's lines in order, so had carol been sent the private message
        // it would be in her output before the public one that followed it.
        await carol.WaitForLineAsync(ChatLines.Message("alice", "public follow-up"));
        Assert.DoesNotContain(carol.Output.Lines, line => line.Contains("secret", StringComparison.Ordinal));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_new_nickname_is_announced_to_the_others_and_used_for_later_messages()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");
        var bob = await ClientProcess.JoinAsync(sandbox, server.Port, "bob");

        // Act
        await alice.TypeAsync("/nick al");
        await alice.TypeAsync("call me al");

        // Assert
        await bob.WaitForLineAsync(ChatLines.NickChanged("alice", "al"));
        await bob.WaitForLineAsync(ChatLines.Message("al", "call me al"));
        await alice.WaitForLineAsync(ChatLines.NickChanged("alice", "al"));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_message_in_another_room_reaches_only_that_rooms_members()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");
        var bob = await ClientProcess.JoinAsync(sandbox, server.Port, "bob", "--room", "dev");
        var carol = await ClientProcess.JoinAsync(sandbox, server.Port, "carol", "--room", "dev");

        // Act
        await bob.TypeAsync("dev only");
        await carol.WaitForLineAsync(ChatLines.Message("bob", "dev only"));
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "general news"]);

        // Assert
        Assert.Equal(0, say.ExitCode);
        // Had alice been sent bob's message, it would be in her output before the later one.
        await alice.WaitForLineAsync(ChatLines.Message("ci", "general news"));
        Assert.DoesNotContain(alice.Output.Lines, line => line.Contains("bob", StringComparison.Ordinal));
        Assert.DoesNotContain(carol.Output.Lines, line => line.Contains("general news", StringComparison.Ordinal));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Text_beyond_ascii_arrives_intact()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");
        var bob = await ClientProcess.JoinAsync(sandbox, server.Port, "bob");
        const string text = "héllo wörld ✓ 日本語 🎉";

        // Act
        await alice.TypeAsync(text);

        // Assert
        await bob.WaitForLineAsync(ChatLines.Message("alice", text));
    }

    /// <summary>
    /// Starts alice, bob and carol at once. Each one's own welcome means the server has registered
    /// it; once all three are welcomed, all three are in #general.
    /// </summary>
    private static async Task<(ClientProcess Alice, ClientProcess Bob, ClientProcess Carol)> JoinThreeAsync(Sandbox sandbox, int port)
    {
        var alice = ClientProcess.JoinAsync(sandbox, port, "alice");
        var bob = ClientProcess.JoinAsync(sandbox, port, "bob");
        var carol = ClientProcess.JoinAsync(sandbox, port, "carol");
        await Task.WhenAll(alice, bob, carol);
        return (await alice, await bob, await carol);
    }
}
