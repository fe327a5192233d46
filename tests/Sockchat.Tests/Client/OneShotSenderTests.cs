using System.Runtime.CompilerServices;
using Sockchat.Client;
using Sockchat.Protocol;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Client;

/// <summary><see cref="OneShotSender"/>, what <c>say</c> runs: every message sent, in order, and acknowledged.</summary>
public sealed class OneShotSenderTests(ITestOutputHelper output)
{
    private static async IAsyncEnumerable<string> Lines(IEnumerable<string> lines, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var line in lines)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return line;
        }
    }

    private static Task<ChatClient> PosterAsync(TestServer server, CancellationToken cancellationToken) =>
        ChatClient.ConnectAsync(new ClientOptions { Port = server.Port, Name = "ci", Presence = false, Timeout = TimeSpan.FromSeconds(5) }, null, cancellationToken);

    [Fact(Timeout = 15000)]
    public async Task Sending_N_lines_reports_N_acknowledged_and_they_arrive_in_order()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var client = await PosterAsync(server, cts.Token);
        var lines = Enumerable.Range(1, 300).Select(i => $"line {i}").ToList();
        var sender = new OneShotSender(client, "general", null, TimeSpan.FromSeconds(10));

        // Act
        var report = await sender.SendAllAsync(Lines(lines), cts.Token);

        // Assert
        Assert.Equal((300, 300), (report.Sent, report.Acknowledged));
        Assert.Empty(report.Refusals);
        var received = new List<string>();
        for (var i = 0; i < lines.Count; i++)
        {
            received.Add((await alice.ExpectAsync<MsgFrame>()).Text);
        }
        Assert.Equal(lines, received);
    }

    [Fact(Timeout = 15000)]
    public async Task Blank_lines_are_skipped_and_not_counted()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var client = await PosterAsync(server, cts.Token);
        var sender = new OneShotSender(client, null, null, TimeSpan.FromSeconds(10));

        // Act
        var report = await sender.SendAllAsync(Lines(["one", "", "  ", "two"]), cts.Token);

        // Assert
        Assert.Equal((2, 2), (report.Sent, report.Acknowledged));
    }

    [Fact(Timeout = 15000)]
    public async Task A_direct_message_to_a_missing_user_is_reported_as_a_refusal()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var client = await PosterAsync(server, cts.Token);
        var sender = new OneShotSender(client, null, "nobody", TimeSpan.FromSeconds(10));

        // Act
        var report = await sender.SendAllAsync(Lines(["hello?"]), cts.Token);

        // Assert
        Assert.Equal((1, 0), (report.Sent, report.Acknowledged));
        var refusal = Assert.Single(report.Refusals);
        Assert.Contains(ErrorCodes.NoSuchUser, refusal);
        Assert.Contains("message 1", refusal);
    }

    [Fact(Timeout = 15000)]
    public async Task A_message_longer_than_the_server_takes_is_refused_without_sending()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(new Sockchat.Server.ServerOptions { MaxLineBytes = 512 }, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var client = await PosterAsync(server, cts.Token);
        var sender = new OneShotSender(client, null, null, TimeSpan.FromSeconds(10));

        // Act
        var report = await sender.SendAllAsync(Lines([new string('x', 600), "short"]), cts.Token);

        // Assert
        Assert.Equal((2, 1), (report.Sent, report.Acknowledged));
        Assert.Contains("too long", Assert.Single(report.Refusals));
        Assert.Equal("short", (await alice.ExpectAsync<MsgFrame>()).Text);
        Assert.DoesNotContain(server.Logs, e => e.Message.Contains("over 512 bytes", StringComparison.Ordinal));
    }

    [Fact(Timeout = 15000)]
    public async Task A_pipe_faster_than_the_servers_rate_is_paced_to_stay_within_it()
    {
        // Arrange: a server announcing 5 at once, then 20 a second. The sender's pace runs on a fake
        // clock that moves only when the sender waits for it.
        await using var server = ScriptedServer.Start();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var connecting = ChatClient.ConnectAsync(new ClientOptions { Port = server.Port, Name = "ci", Presence = false }, null, cts.Token);
        await server.AcceptAsync(cts.Token);
        await server.SendAsync(new WelcomeFrame("ci", "test", "0", ["general"], 4096, null, RatePerSecond: 20, RateBurst: 5), cts.Token);
        await using var client = await connecting;
        var clock = new WatchedClock();
        var started = clock.GetTimestamp();
        var sender = new OneShotSender(client, null, null, TimeSpan.FromMinutes(1), clock);
        const int Count = 30;
        var sending = sender.SendAllAsync(Lines(Enumerable.Range(1, Count).Select(i => $"line {i}")), cts.Token);

        // Act: take each line as it comes; whenever the sender waits for its pace instead, move the
        // clock to the end of that wait. Every line is acknowledged at once.
        var received = 0;
        var timers = 0;
        while (received < Count)
        {
            var line = server.ReadLineAsync(cts.Token);
            while (!line.IsCompleted)
            {
                var waiting = clock.NthTimerStartedAsync(timers);
                if (await Task.WhenAny(line, waiting) == waiting)
                {
                    timers++;
                    // A pace wait is a fraction of a second; the minute-long wait for the last
                    // acknowledgements (started once every line is out) is left alone.
                    if (await waiting is var due && due < TimeSpan.FromSeconds(1))
                    {
                        clock.Advance(due);
                    }
                }
            }
            var say = Assert.IsType<SayFrame>(JsonCodec.ParseClientFrame(await line));
            Assert.Equal($"line {++received}", say.Text);
            await server.SendAsync(new AckFrame(say.Id!.Value, received), cts.Token);
        }
        var report = await sending;

        // Assert: the clock moved only by the sender's own waits. A bucket of the server's size
        // (5 at once, its hello one of them, then 20 a second) needs (31 - 5) / 20 = 1.3 s for the
        // hello and 30 lines; a pace faster than that, or with a bigger burst, gets there sooner
        // and would be refused, and one that dawdles takes much longer.
        var elapsed = clock.GetElapsedTime(started);
        Assert.InRange(elapsed.TotalSeconds, 1.3, 2.0);
        Assert.Empty(report.Refusals);
        Assert.Equal((Count, Count), (report.Sent, report.Acknowledged));
    }

    [Fact(Timeout = 15000)]
    public async Task Acknowledgements_that_stop_coming_raise_ChatTimeoutException_counting_those_that_came()
    {
        // Arrange: a server that acknowledges the first message and never the second. The
        // timeout runs on a fake clock and is longer than the test's own bound.
        await using var server = ScriptedServer.Start();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var connecting = ChatClient.ConnectAsync(new ClientOptions { Port = server.Port, Name = "ci", Presence = false }, null, cts.Token);
        await server.AcceptAsync(cts.Token);
        await server.SendAsync(new WelcomeFrame("ci", "test", "0", ["general"], 4096, null), cts.Token);
        await using var client = await connecting;
        var clock = new WatchedClock();
        var timeout = TimeSpan.FromMinutes(1);
        var sender = new OneShotSender(client, null, null, timeout, clock);
        var sending = sender.SendAllAsync(Lines(["one", "two"]), cts.Token);
        var first = JsonCodec.ParseClientFrame(await server.ReadLineAsync(cts.Token));
        await server.SendAsync(new AckFrame(((SayFrame)first).Id!.Value, 1), cts.Token);
        await server.ReadLineAsync(cts.Token);
        // The client answers a ping on the line after the ack, so its pong shows the ack was counted.
        await server.SendAsync(new ServerPingFrame(FrameId.FromString("alive")), cts.Token);
        Assert.IsType<PongReplyFrame>(JsonCodec.ParseClientFrame(await server.ReadLineAsync(cts.Token)));
        await clock.TimerStartedAsync(timeout).WaitAsync(cts.Token);

        // Act
        clock.Advance(timeout);
        var error = await Assert.ThrowsAsync<ChatTimeoutException>(() => sending);

        // Assert
        Assert.Equal("the server acknowledged 1 of 2 messages within 60 s", error.Message);
    }
}
