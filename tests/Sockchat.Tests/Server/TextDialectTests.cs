using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Server;

/// <summary>The text dialect, as nc or telnet speak it, and how it meets the JSON dialect.</summary>
public sealed class TextDialectTests(ITestOutputHelper output)
{
    [Fact(Timeout = 15000)]
    public async Task A_first_line_that_is_not_json_is_taken_as_the_nickname_and_welcomed()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await TextTestClient.ConnectAsync(server.Port);

        // Act
        await alice.SendLineAsync("alice");

        // Assert
        var welcome = await alice.ExpectLineAsync(l => l.Contains("welcome", StringComparison.Ordinal));
        Assert.Contains("alice", welcome);
        Assert.Contains("#general", welcome);
    }

    [Fact(Timeout = 15000)]
    public async Task A_plain_line_reaches_a_json_member_as_a_msg_frame()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await using var alice = await TextTestClient.JoinAsync(server, "alice");

        // Act
        await alice.SendLineAsync("hello from nc");

        // Assert
        var message = await bob.ExpectAsync<MsgFrame>();
        Assert.Equal(("general", "alice", "hello from nc"), (message.Room, message.From, message.Text));
        await alice.ExpectLineAsync(l => l.EndsWith("] alice: hello from nc", StringComparison.Ordinal));
    }

    [Fact(Timeout = 15000)]
    public async Task A_json_message_reaches_a_text_member_as_a_readable_line()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await TextTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");

        // Act
        await bob.SayAsync("hi alice");

        // Assert
        var line = await alice.ExpectLineAsync(l => l.Contains("hi alice", StringComparison.Ordinal));
        Assert.Matches(@"^\[\d\d:\d\d:\d\d\] bob: hi alice$", line);
    }

    [Fact(Timeout = 15000)]
    public async Task Who_returns_a_line_listing_the_names()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await using var alice = await TextTestClient.JoinAsync(server, "alice");

        // Act
        await alice.SendLineAsync("/who");

        // Assert
        var line = await alice.ExpectLineAsync(l => l.StartsWith("* in #general", StringComparison.Ordinal));
        Assert.Equal("* in #general (2): alice, bob", line);
    }

    [Fact(Timeout = 15000)]
    public async Task A_taken_nickname_gets_name_taken_and_may_try_again()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await using var other = await TextTestClient.ConnectAsync(server.Port);

        // Act
        await other.SendLineAsync("BOB");
        var refusal = await other.ExpectLineAsync(l => l.StartsWith('!'));
        await other.SendLineAsync("bob2");

        // Assert
        Assert.StartsWith("! name_taken", refusal);
        var welcome = await other.ExpectLineAsync(l => l.Contains("welcome", StringComparison.Ordinal));
        Assert.Contains("bob2", welcome);
        Assert.Equal("bob2", (await bob.ExpectAsync<JoinedFrame>(j => j.Name != "bob")).Name);
    }

    [Fact(Timeout = 15000)]
    public async Task A_silent_connection_is_prompted_for_a_nickname_after_the_prompt_delay()
    {
        // Arrange: the default delay, on a fake clock that moves only when told.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var server = await TestServer.StartAsync(output: output, time: time);
        await using var client = await TextTestClient.ConnectAsync(server.Port);
        await server.WaitForConnectionCountAsync(1);

        // Act
        time.Advance(new ServerOptions().NicknamePromptDelay);

        // Assert
        var prompt = await client.ExpectLineAsync(_ => true);
        Assert.Contains("nickname", prompt);
    }

    [Fact(Timeout = 15000)]
    public async Task Slash_commands_work_for_text_clients()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await using var alice = await TextTestClient.JoinAsync(server, "alice");

        // Act
        await alice.SendLineAsync("/msg bob psst");
        await alice.SendLineAsync("/me waves");
        await alice.SendLineAsync("/dance");
        // The refusal is answered at once, the action once stored: either may come first.
        await alice.ReceivedOrExpectLineAsync(l => l.StartsWith("! unknown_command", StringComparison.Ordinal));
        await alice.ReceivedOrExpectLineAsync(l => l.EndsWith("] \u2022 alice waves", StringComparison.Ordinal));
        await alice.SendLineAsync("/quit");

        // Assert
        var dm = await bob.ExpectAsync<DmMessageFrame>();
        Assert.Equal(("alice", "psst"), (dm.From, dm.Text));
        var action = await bob.ExpectAsync<MsgFrame>();
        Assert.True(action.Action);
        Assert.Equal("waves", action.Text);
        await alice.ExpectClosedAsync();
        var left = await bob.ExpectAsync<LeftFrame>();
        Assert.Equal(("alice", LeaveReasons.Quit), (left.Name, left.Reason));
    }
}
