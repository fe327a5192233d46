using System.Diagnostics;
using System.Text;
using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Robustness;

/// <summary>The handshake deadline and the idle check (ping, then timeout), with the limits shrunk to a few hundred milliseconds.</summary>
public sealed class TimeoutTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(300);

    [Theory(Timeout = 15000)]
    [InlineData("")]
    [InlineData("{\"type\":\"hello\",\"na")]
    public async Task A_connection_without_a_hello_in_time_gets_a_timeout_line_and_is_closed_while_punctual_ones_stay(string partial)
    {
        // Arrange: the punctual clients connect first, so their deadlines pass before the silent one's.
        var options = new ServerOptions { HandshakeTimeout = Short, NicknamePromptDelay = TimeSpan.FromSeconds(30) };
        await using var server = await TestServerThreadPool.StartAsync(options, output);
        await using var json = await JsonTestClient.JoinAsync(server, "alice");
        await using var text = await TextTestClient.JoinAsync(server, "bob");
        await using var silent = await TextTestClient.ConnectAsync(server.Port);
        var elapsed = Stopwatch.StartNew();

        // Act
        await silent.SendBytesAsync(Encoding.UTF8.GetBytes(partial));
        await silent.ExpectClosedAsync();
        elapsed.Stop();

        // Assert
        var line = Assert.Single(silent.Lines);
        Assert.StartsWith("! timeout:", line);
        Assert.True(elapsed.Elapsed >= Short - TimeSpan.FromMilliseconds(50), $"closed after {elapsed.ElapsedMilliseconds} ms, before the {Short.TotalMilliseconds} ms deadline");
        await json.SyncAsync();
        await text.SendLineAsync("/ping");
        await text.ExpectLineAsync(l => l == "* pong");
        Assert.Empty(json.Received<ErrorFrame>());
        await server.WaitForConnectionCountAsync(2);
    }

    [Fact(Timeout = 15000)]
    public async Task A_json_client_that_reads_but_never_answers_a_ping_is_closed_and_others_see_left_timeout()
    {
        // Arrange
        var options = new ServerOptions { PingInterval = Short, PingTimeout = Short };
        await using var server = await TestServerThreadPool.StartAsync(options, output);
        await using var idle = await JsonTestClient.JoinAsync(server, "idle");
        await using var watcher = await JsonTestClient.JoinAsync(server, "watcher");

        // Act: the watcher answers its own pings meanwhile (on the thread pool, to answer promptly), or it would time out too.
        var watching = Task.Run(() => watcher.ExpectAnsweringPingsAsync<LeftFrame>(l => l.Name == "idle"));
        var ping = await idle.ExpectAsync<ServerPingFrame>(within: TimeSpan.FromSeconds(5));
        await idle.ExpectClosedAsync();
        var (left, _) = await watching;

        // Assert
        Assert.NotNull(ping);
        Assert.Equal(LeaveReasons.Timeout, left.Reason);
        await watcher.SyncAsync();
        Assert.Contains(server.Logs, e => e.Message.Contains("(idle) did not answer a ping", StringComparison.Ordinal));
    }

    [Fact(Timeout = 15000)]
    public async Task A_json_client_that_answers_every_ping_stays_connected_for_several_intervals()
    {
        // Arrange
        const int Intervals = 4;
        var options = new ServerOptions { PingInterval = Short, PingTimeout = Short };
        await using var server = await TestServerThreadPool.StartAsync(options, output);
        await using var alive = await JsonTestClient.JoinAsync(server, "alive");
        var elapsed = Stopwatch.StartNew();

        // Act: on the thread pool, so that the answer is prompt even when parallel tests keep the test threads busy.
        await Task.Run(async () =>
        {
            for (var i = 0; i < Intervals; i++)
            {
                var ping = await alive.ExpectAsync<ServerPingFrame>(within: TimeSpan.FromSeconds(5));
                await alive.SendAsync(new PongReplyFrame(ping.Id));
            }
        });
        elapsed.Stop();

        // Assert
        Assert.True(elapsed.Elapsed >= Short * (Intervals - 1), $"{Intervals} pings came within {elapsed.ElapsedMilliseconds} ms");
        await alive.SyncAsync();
        Assert.Equal(Intervals, alive.Received<ServerPingFrame>().Count());
        Assert.DoesNotContain(server.Logs, e => e.Message.Contains("did not answer a ping", StringComparison.Ordinal));
        output.WriteLine($"{Intervals} pings answered over {elapsed.ElapsedMilliseconds} ms");
    }

    [Fact(Timeout = 15000)]
    public async Task A_json_client_trickling_a_line_it_never_finishes_is_pinged_and_then_closed_as_timeout()
    {
        // Arrange
        var options = new ServerOptions { PingInterval = Short, PingTimeout = Short };
        await using var server = await TestServerThreadPool.StartAsync(options, output);
        await using var trickler = await JsonTestClient.JoinAsync(server, "trickler");
        using var stop = new CancellationTokenSource();

        // Act: a byte every 50 ms, far more often than the ping interval, of a line that never ends.
        var trickling = Task.Run(async () =>
        {
            try
            {
                await trickler.SendBytesAsync("{\"type\":\"say\",\"text\":\""u8.ToArray());
                while (!stop.IsCancellationRequested)
                {
                    await trickler.SendBytesAsync("a"u8.ToArray());
                    await Task.Delay(50, stop.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Closed by the server, as it should be, or stopped by the test.
            }
        });
        var ping = await trickler.ExpectAsync<ServerPingFrame>(within: TimeSpan.FromSeconds(5));
        await trickler.ExpectClosedAsync();
        await stop.CancelAsync();
        await trickling;

        // Assert
        Assert.NotNull(ping);
        Assert.Contains(server.Logs, e => e.Message.Contains("(trickler) did not answer a ping", StringComparison.Ordinal));
    }
}
