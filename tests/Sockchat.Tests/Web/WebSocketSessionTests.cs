using System.Net;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Sockchat.Web;

namespace Sockchat.Tests.Web;

/// <summary>
/// The web port's <c>/ws</c> without a browser (issue 10): a web user is a session of the same hub
/// as TCP users, with the same limits, and bad WebSocket input is refused clearly.
/// </summary>
public sealed class WebSocketSessionTests
{
    [Fact(Timeout = 30000)]
    public async Task A_web_user_and_a_tcp_user_chat_in_one_room()
    {
        // Arrange
        await using var server = await TestServer.StartAsync();
        await using var web = await StartWebAsync(server);
        await using var alice = await WebTestClient.ConnectAsync(web.Url);
        await alice.HelloAsync("alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");

        // Act
        await alice.SendAsync(new SayFrame(null, "hi from the browser", FrameId.FromString("w1")));
        var ack = await alice.ExpectAsync<AckFrame>(a => a.Id.Text == "w1");
        await bob.SayAsync("hi from the terminal");

        // Assert
        var atBob = await bob.ExpectAsync<MsgFrame>(m => m.From == "alice");
        Assert.Equal("hi from the browser", atBob.Text);
        Assert.Equal(ack.Seq, atBob.Seq);
        var atAlice = await alice.ExpectAsync<MsgFrame>(m => m.From == "bob");
        Assert.Equal("hi from the terminal", atAlice.Text);
    }

    [Fact(Timeout = 30000)]
    public async Task A_burst_reaches_a_web_user_as_one_text_message_per_frame_in_order_with_nothing_lost()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(new ServerOptions { RatePerSecond = 0 });
        await using var web = await StartWebAsync(server);
        await using var alice = await WebTestClient.ConnectAsync(web.Url);
        await alice.HelloAsync("alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        const int Burst = 500;

        // Act: bob sends without waiting for acks, so frames queue up for alice and leave in batches
        for (var i = 0; i < Burst; i++)
        {
            await bob.SayAsync($"burst {i}");
        }

        // Assert: each message is one frame (ExpectAsync checks that), in seq order, none missing
        var received = new List<MsgFrame>();
        for (var i = 0; i < Burst; i++)
        {
            received.Add(await alice.ExpectAsync<MsgFrame>(m => m.From == "bob"));
        }
        Assert.Equal(Enumerable.Range(0, Burst).Select(i => $"burst {i}"), received.Select(m => m.Text));
        Assert.Equal(received.Select(m => m.Seq).Order(), received.Select(m => m.Seq));
        Assert.Equal(Burst, received.Select(m => m.Seq).Distinct().Count());
    }

    [Fact(Timeout = 30000)]
    public async Task A_name_in_use_on_the_chat_port_is_taken_for_the_web_too()
    {
        // Arrange
        await using var server = await TestServer.StartAsync();
        await using var web = await StartWebAsync(server);
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await using var impostor = await WebTestClient.ConnectAsync(web.Url);

        // Act
        await impostor.SendAsync(new HelloFrame("Bob", null, null, true, null));

        // Assert
        var error = await impostor.ExpectAsync<ErrorFrame>();
        Assert.Equal(ErrorCodes.NameTaken, error.Code);
    }

    [Fact(Timeout = 30000)]
    public async Task A_page_from_another_origin_may_not_open_a_session()
    {
        // Arrange
        await using var server = await TestServer.StartAsync();
        await using var web = await StartWebAsync(server);

        // Act
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => WebTestClient.ConnectAsync(web.Url, origin: "http://evil.example"));

        // Assert
        Assert.Contains("403", refused.Message);
        Assert.Equal(0, server.Server.ConnectionCount);
    }

    [Fact(Timeout = 30000)]
    public async Task A_binary_message_closes_the_socket_with_1003()
    {
        // Arrange
        await using var server = await TestServer.StartAsync();
        await using var web = await StartWebAsync(server);
        await using var alice = await WebTestClient.ConnectAsync(web.Url);
        await alice.HelloAsync("alice");

        // Act
        await alice.SendRawAsync([1, 2, 3], WebSocketMessageType.Binary);

        // Assert
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, await alice.ExpectCloseAsync());
    }

    [Fact(Timeout = 30000)]
    public async Task Invalid_utf8_fails_that_connection_as_RFC_6455_says_and_the_room_goes_on()
    {
        // Arrange
        await using var server = await TestServer.StartAsync();
        await using var web = await StartWebAsync(server);
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await using var alice = await WebTestClient.ConnectAsync(web.Url);
        await alice.HelloAsync("alice");

        // Act: a text message that is not UTF-8 (browsers never send one)
        byte[] bad = [.. "{\"type\":\"say\",\"text\":\""u8, 0xC3, 0x28, .. "\",\"id\":\"bad\"}"u8];
        await alice.SendRawAsync(bad, WebSocketMessageType.Text);
        await alice.ExpectCloseAsync();

        // Assert: nothing of it reached the room, alice left as disconnected, bob chats on
        var left = await bob.ExpectAsync<LeftFrame>(l => l.Name == "alice");
        Assert.Equal(LeaveReasons.Disconnected, left.Reason);
        Assert.DoesNotContain(bob.Received<MsgFrame>(), m => m.From == "alice");
        Assert.True(await bob.SayAndWaitAsync("still here") > 0);
    }

    [Fact(Timeout = 30000)]
    public async Task A_message_over_the_line_limit_is_refused_with_too_long_and_the_session_goes_on()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(new ServerOptions { MaxLineBytes = 1024 });
        await using var web = await StartWebAsync(server);
        await using var alice = await WebTestClient.ConnectAsync(web.Url);
        await alice.HelloAsync("alice");

        // Act
        await alice.SendTextAsync($$"""{"type":"say","text":"{{new string('x', 5000)}}","id":"big"}""");

        // Assert
        var error = await alice.ExpectAsync<ErrorFrame>();
        Assert.Equal(ErrorCodes.TooLong, error.Code);
        await alice.SendAsync(new SayFrame(null, "short", FrameId.FromString("small")));
        await alice.ExpectAsync<AckFrame>(a => a.Id.Text == "small");
    }

    [Fact(Timeout = 30000)]
    public async Task A_web_user_that_never_answers_pings_is_dropped_on_the_fake_clock()
    {
        // Arrange
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(new ServerOptions { PingInterval = TimeSpan.FromSeconds(60), PingTimeout = TimeSpan.FromSeconds(30) }, time: clock);
        await using var web = await StartWebAsync(server);
        await using var alice = await WebTestClient.ConnectAsync(web.Url);
        await alice.HelloAsync("alice");

        // Act
        clock.Advance(TimeSpan.FromSeconds(61));
        await alice.ExpectAsync<ServerPingFrame>();
        clock.Advance(TimeSpan.FromSeconds(31));

        // Assert
        await alice.ExpectCloseAsync();
        Assert.Contains(server.Logs, e => e.Message.Contains("alice", StringComparison.Ordinal) && e.Message.Contains("timeout", StringComparison.OrdinalIgnoreCase));
    }

    [Fact(Timeout = 40000)]
    public async Task A_web_user_that_stops_reading_is_dropped_as_slow_and_the_others_go_on()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(new ServerOptions { OutboxMaxBytes = 64 * 1024, RatePerSecond = 0 });
        await using var web = await StartWebAsync(server);
        await using var stalled = await WebTestClient.ConnectAsync(web.Url, receiveBuffer: 1024);
        await stalled.HelloAsync("stalled");
        await using var watcher = await JsonTestClient.JoinAsync(server, "watcher");
        await using var talker = await JsonTestClient.JoinAsync(server, "talker");
        var text = new string('y', 2000);

        // Act: the stalled web user never reads again; the room keeps talking
        for (var i = 0; i < 2000 && !watcher.Received<LeftFrame>().Any(l => l.Name == "stalled"); i++)
        {
            await talker.SayAsync(text);
            // The watcher is held to the same 64 KiB queue limit: sync every 10 messages (20 KB)
            // so that only the stalled user, never a slow-scheduled watcher, can fall that far behind.
            if (i % 10 == 9)
            {
                await talker.SyncAsync();
                await watcher.SyncAsync();
            }
        }

        // Assert
        var left = await watcher.ReceivedOrExpectAsync<LeftFrame>(l => l.Name == "stalled", TimeSpan.FromSeconds(15));
        Assert.Equal(LeaveReasons.Slow, left.Reason);
        Assert.Equal(await talker.SayAndWaitAsync("still flowing"), (await watcher.ExpectAsync<MsgFrame>(m => m.Text == "still flowing")).Seq);
    }

    [Fact(Timeout = 30000)]
    public async Task Healthz_is_200_while_the_server_takes_chat_connections_and_503_once_it_stops()
    {
        // Arrange
        var server = await TestServer.StartAsync();
        await using var web = await StartWebAsync(server);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var health = new Uri(web.Url, "/healthz");
        var before = await http.GetAsync(health);

        // Act
        await server.DisposeAsync();
        var after = await http.GetAsync(health);

        // Assert
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, after.StatusCode);
    }

    private static async Task<WebFrontEnd> StartWebAsync(TestServer server)
    {
        var web = new WebFrontEnd(new WebFrontEndOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, NullLoggerFactory.Instance,
            () => server.Server.Accepting, (socket, batch, remote, _) => WebSessions.RunAsync(server.Server, socket, batch, remote));
        await web.StartAsync(CancellationToken.None);
        return web;
    }
}
