using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Server;

/// <summary>The JSON dialect end to end against an in-process server: hello, say, ack, dm, errors.</summary>
public sealed class JsonDialectTests(ITestOutputHelper output)
{
    [Fact(Timeout = 15000)]
    public async Task Hello_is_answered_with_a_welcome_carrying_name_rooms_and_line_limit()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(new ServerOptions { MaxLineBytes = 4096 }, output);
        await using var alice = await JsonTestClient.ConnectAsync(server.Port);

        // Act
        var welcome = await alice.HelloAsync("alice");

        // Assert
        Assert.Equal("alice", welcome.Name);
        Assert.Equal(["general"], welcome.Rooms);
        Assert.Equal(4096, welcome.MaxLineBytes);
    }

    [Fact(Timeout = 15000)]
    public async Task A_message_reaches_every_member_including_the_sender_with_increasing_seq()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await using var carol = await JsonTestClient.JoinAsync(server, "carol");

        // Act: one after the other, so the order is defined.
        await alice.SayAndWaitAsync("one");
        await bob.SayAndWaitAsync("two");

        // Assert
        foreach (var member in new[] { alice, bob, carol })
        {
            await member.ReceivedOrExpectAsync<MsgFrame>(m => m.Text == "two");
            var one = Assert.Single(member.Received<MsgFrame>(), m => m.Text == "one");
            var two = Assert.Single(member.Received<MsgFrame>(), m => m.Text == "two");
            Assert.Equal(("general", "alice"), (one.Room, one.From));
            Assert.Equal(("general", "bob"), (two.Room, two.From));
            Assert.True(two.Seq > one.Seq, $"seq {two.Seq} of the later message is not above {one.Seq}");
            Assert.False(one.History);
        }
    }

    [Theory(Timeout = 15000)]
    [InlineData("\"abc-1\"")]
    [InlineData("42")]
    public async Task An_ack_echoes_the_id_exactly_as_sent(string rawId)
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");

        // Act
        await alice.SendAsync(new SayFrame(null, "hello", new FrameId(rawId)));

        // Assert
        var message = await alice.ExpectAsync<MsgFrame>();
        var ack = await alice.ExpectAsync<AckFrame>();
        Assert.Equal(rawId, ack.Id.RawJson);
        Assert.Equal(message.Seq, ack.Seq);
        Assert.Contains($"\"id\":{rawId}", alice.Lines[^1]);
    }

    [Fact(Timeout = 15000)]
    public async Task A_direct_message_reaches_only_its_target_and_is_echoed_to_the_sender()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await using var carol = await JsonTestClient.JoinAsync(server, "carol");

        // Act
        await alice.SendAsync(new DmFrame("BOB", "psst", FrameId.FromString("d1")));

        // Assert
        var received = await bob.ExpectAsync<DmMessageFrame>();
        Assert.Equal(("alice", "bob", "psst"), (received.From, received.To, received.Text));
        var echo = await alice.ExpectAsync<DmMessageFrame>();
        Assert.Equal(("alice", "bob", "psst"), (echo.From, echo.To, echo.Text));
        await alice.ExpectAsync<AckFrame>(a => a.Id.Text == "d1");
        await carol.SyncAsync();
        Assert.Empty(carol.Received<DmMessageFrame>());
    }

    [Fact(Timeout = 15000)]
    public async Task A_direct_message_to_a_missing_user_is_answered_no_such_user_with_the_id()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");

        // Act
        await alice.SendAsync(new DmFrame("nobody", "hello?", FrameId.FromString("d7")));

        // Assert
        var error = await alice.ExpectAsync<ErrorFrame>();
        Assert.Equal(ErrorCodes.NoSuchUser, error.Code);
        Assert.Equal("d7", error.Id?.Text);
        Assert.Contains("nobody", error.Message);
    }

    [Fact(Timeout = 15000)]
    public async Task An_unknown_type_is_answered_unknown_command_with_the_id_and_the_connection_stays_open()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");

        // Act
        await alice.SendAsync(new UnknownFrame("dance", new FrameId("7")));

        // Assert
        var error = await alice.ExpectAsync<ErrorFrame>();
        Assert.Equal(ErrorCodes.UnknownCommand, error.Code);
        Assert.Equal("7", error.Id?.RawJson);
        await alice.SyncAsync();
    }

    [Fact(Timeout = 15000)]
    public async Task Malformed_json_after_hello_is_answered_bad_frame_and_the_connection_stays_open()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");

        // Act
        await alice.SendBytesAsync("{\"type\":\"say\",\"text\":\n"u8.ToArray());

        // Assert
        var error = await alice.ExpectAsync<ErrorFrame>();
        Assert.Equal(ErrorCodes.BadFrame, error.Code);
        await alice.SyncAsync();
    }

    [Fact(Timeout = 15000)]
    public async Task A_first_frame_that_is_not_hello_is_refused_and_the_connection_closed()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await JsonTestClient.ConnectAsync(server.Port);

        // Act
        await client.SendAsync(new SayFrame(null, "hi", null));

        // Assert
        var error = await client.ExpectAsync<ErrorFrame>();
        Assert.Equal(ErrorCodes.BadFrame, error.Code);
        await client.ExpectClosedAsync();
    }

    [Fact(Timeout = 15000)]
    public async Task A_hello_with_an_invalid_name_is_refused_name_invalid()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var client = await JsonTestClient.ConnectAsync(server.Port);

        // Act
        await client.SendAsync(new HelloFrame("a b", null, null, true, null));

        // Assert
        var error = await client.ExpectAsync<ErrorFrame>();
        Assert.Equal(ErrorCodes.NameInvalid, error.Code);
        await client.ExpectClosedAsync();
    }

    [Fact(Timeout = 15000)]
    public async Task Quit_tells_the_others_with_reason_quit_and_closes_the_connection()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");

        // Act
        await bob.SendAsync(new QuitFrame("bye"));

        // Assert
        await bob.ExpectClosedAsync();
        var left = await alice.ExpectAsync<LeftFrame>();
        Assert.Equal(("general", "bob", "quit"), (left.Room, left.Name, left.Reason));
    }

    /// <summary>
    /// Messages go through the history writer (group commit) before they are broadcast, while a
    /// quit's <c>left</c> notice is broadcast at once; so a goodbye sent just before quitting
    /// reaches the room after the notice that its author has left.
    /// </summary>
    [Fact(Timeout = 15000)]
    public async Task A_message_sent_just_before_quitting_reaches_the_others_before_the_left_notice()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await alice.ExpectAsync<JoinedFrame>(j => j.Name == "bob");

        // Act: both frames in one write, as a script would send them.
        byte[] both = [.. JsonCodec.Encode(new SayFrame(null, "bye all", null)), .. JsonCodec.Encode(new QuitFrame(null))];
        await bob.SendBytesAsync(both);

        // Assert
        await alice.ExpectAsync<LeftFrame>(l => l.Name == "bob");
        await alice.SyncAsync();
        var order = alice.Frames.Where(f => f is MsgFrame or LeftFrame).Select(f => f.GetType().Name).ToList();
        Assert.Equal([nameof(MsgFrame), nameof(LeftFrame)], order);
    }
}
