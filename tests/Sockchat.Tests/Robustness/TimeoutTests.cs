using System.Text;
using Microsoft.Extensions.Time.Testing;
using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Robustness;

/// <summary>
/// The handshake deadline and the idle check (ping, then timeout), at their default lengths on a
/// fake clock: the server's one watchdog timer only ticks when a test advances it. Socket I/O
/// still happens in real time, so a test advances the clock only once the server has handled
/// what the client sent (after a round trip, or once the server counts the connection).
/// </summary>
public sealed class TimeoutTests(ITestOutputHelper output)
{
    private static readonly ServerOptions Defaults = new();
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    [Theory(Timeout = 15000)]
    [InlineData("")]
    [InlineData("{\"type\":\"hello\",\"na")]
    public async Task A_connection_without_a_hello_in_time_gets_a_timeout_line_and_is_closed_not_before_while_punctual_ones_stay(string partial)
    {
        // Arrange
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(new ServerOptions { NicknamePromptDelay = TimeSpan.FromMinutes(5) }, output, time);
        await using var json = await JsonTestClient.JoinAsync(server, "alice");
        await using var text = await TextTestClient.JoinAsync(server, "bob");
        await using var silent = await TextTestClient.ConnectAsync(server.Port);
        await silent.SendBytesAsync(Encoding.UTF8.GetBytes(partial));
        await server.WaitForConnectionCountAsync(3);

        // Act
        time.Advance(Defaults.HandshakeTimeout - Tick);
        await json.SyncAsync();
        var linesBefore = silent.Lines.Count;
        time.Advance(Tick);
        await silent.ExpectClosedAsync();

        // Assert
        Assert.Equal(0, linesBefore);
        var line = Assert.Single(silent.Lines);
        Assert.StartsWith("! timeout:", line);
        await json.SyncAsync();
        await text.SendLineAsync("/ping");
        await text.ExpectLineAsync(l => l == "* pong");
        Assert.Empty(json.Received<ErrorFrame>());
        await server.WaitForConnectionCountAsync(2);
    }

    [Fact(Timeout = 15000)]
    public async Task A_json_client_silent_for_the_ping_interval_is_pinged_and_closed_after_the_ping_timeout_and_others_see_left_timeout()
    {
        // Arrange
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(output: output, time: time);
        await using var idle = await JsonTestClient.JoinAsync(server, "idle");
        await using var watcher = await JsonTestClient.JoinAsync(server, "watcher");
        await idle.SyncAsync();

        // Act: no ping a moment before the interval (a round trip now would itself count as activity); at it, both are pinged; the watcher answers.
        time.Advance(Defaults.PingInterval - Tick);
        var pingedEarly = idle.Received<ServerPingFrame>().Any() || watcher.Received<ServerPingFrame>().Any();
        time.Advance(Tick);
        var ping = await idle.ExpectAsync<ServerPingFrame>();
        var watcherPing = await watcher.ExpectAsync<ServerPingFrame>();
        await watcher.SendAsync(new PongReplyFrame(watcherPing.Id));
        await watcher.SyncAsync();
        time.Advance(Defaults.PingTimeout - Tick);
        await watcher.SyncAsync();
        var closedEarly = idle.Received<LeftFrame>().Any() || watcher.Received<LeftFrame>().Any();
        time.Advance(Tick);
        await idle.ExpectClosedAsync();
        var left = await watcher.ExpectAsync<LeftFrame>(l => l.Name == "idle");

        // Assert
        Assert.False(pingedEarly, "a ping came before the interval");
        Assert.False(closedEarly, "the silent client was closed before the ping timeout");
        Assert.NotNull(ping);
        Assert.Equal(LeaveReasons.Timeout, left.Reason);
        await watcher.SyncAsync();
        Assert.Contains(server.Logs, e => e.Message.Contains("(idle) did not answer a ping", StringComparison.Ordinal));
        Assert.DoesNotContain(server.Logs, e => e.Message.Contains("(watcher) did not answer a ping", StringComparison.Ordinal));
    }

    [Fact(Timeout = 15000)]
    public async Task A_json_client_that_answers_every_ping_stays_connected_for_many_intervals()
    {
        // Arrange
        const int Intervals = 10;
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(output: output, time: time);
        await using var alive = await JsonTestClient.JoinAsync(server, "alive");
        await alive.SyncAsync();

        // Act
        for (var i = 0; i < Intervals; i++)
        {
            time.Advance(Defaults.PingInterval);
            var ping = await alive.ExpectAsync<ServerPingFrame>();
            await alive.SendAsync(new PongReplyFrame(ping.Id));
            await alive.SyncAsync();
        }
        time.Advance(Defaults.PingTimeout);
        await alive.SyncAsync();

        // Assert
        Assert.Equal(Intervals, alive.Received<ServerPingFrame>().Count());
        Assert.DoesNotContain(server.Logs, e => e.Message.Contains("did not answer a ping", StringComparison.Ordinal));
    }

    [Fact(Timeout = 15000)]
    public async Task A_json_client_trickling_a_line_it_never_finishes_is_pinged_and_then_closed_as_timeout()
    {
        // Arrange
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(output: output, time: time);
        await using var trickler = await JsonTestClient.JoinAsync(server, "trickler");
        await trickler.SyncAsync();
        await trickler.SendBytesAsync("{\"type\":\"say\",\"text\":\""u8.ToArray());

        // Act: more bytes of the same unfinished line between every step of the clock.
        var step = Defaults.PingInterval / 4;
        for (var i = 0; i < 4; i++)
        {
            await trickler.SendBytesAsync("aaaa"u8.ToArray());
            time.Advance(step);
        }
        var ping = await trickler.ExpectAsync<ServerPingFrame>();
        await trickler.SendBytesAsync("aaaa"u8.ToArray());
        time.Advance(Defaults.PingTimeout);
        await trickler.ExpectClosedAsync();

        // Assert
        Assert.NotNull(ping);
        Assert.Contains(server.Logs, e => e.Message.Contains("(trickler) did not answer a ping", StringComparison.Ordinal));
    }
}
