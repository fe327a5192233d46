using System.Globalization;
using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Robustness;

/// <summary>
/// One client stops reading while others chat flat out: it alone is dropped as slow, and nobody
/// else loses or reorders anything. Run alone: moving tens of megabytes, these would starve the
/// timing-sensitive tests beside them.
/// </summary>
[Collection(RobustnessSerialCollection.Name)]
public sealed class SlowConsumerTests(ITestOutputHelper output)
{
    private const int Chatters = 10;
    private const int MessagesEach = 300;
    private const long OutboxLimit = 64 * 1024;
    private static readonly TimeSpan RoundsTimeLimit = TimeSpan.FromSeconds(40);

    /// <summary>
    /// The chatters talk in rounds: all ten send at once, and the next round starts as soon as all
    /// ten have received the round, 300 rounds, big messages, so that the sleeper's queue must
    /// overflow whatever the kernel buffers for it. Rounds keep every reader within ten messages of
    /// the server, so none of them can be slow, whatever the machine; sending everything in one go
    /// instead is what <see cref="A_burst_allowed_by_the_rate_limit_does_not_drop_members_that_keep_reading"/> shows fails.
    /// </summary>
    [Fact(Timeout = 60000)]
    public async Task A_client_that_stops_reading_is_dropped_as_slow_while_ten_chatting_clients_receive_every_message_in_seq_order()
    {
        // Arrange
        var textLength = TextLengthToOverflowTheSleeper();
        output.WriteLine($"{Chatters} x {MessagesEach} messages of {textLength} characters");
        await using var server = await TestServer.StartAsync(new ServerOptions { OutboxMaxBytes = OutboxLimit, RatePerSecond = 0 }, output);
        await using var sleeper = await JsonTestClient.ConnectAsync(server.Port, receiveBufferSize: 4096);
        await sleeper.HelloAsync("sleeper");
        var chatters = new List<TallyingJsonClient>();
        try
        {
            for (var c = 0; c < Chatters; c++)
            {
                chatters.Add(await TallyingJsonClient.JoinAsync(server.Port, $"chatter{c}"));
            }

            // Act
            var elapsed = System.Diagnostics.Stopwatch.StartNew();
            for (var round = 0; round < MessagesEach; round++)
            {
                Assert.True(elapsed.Elapsed < RoundsTimeLimit, $"only {round} rounds in {RoundsTimeLimit.TotalSeconds} s");
                await Task.WhenAll(chatters.Select((chatter, c) => chatter.SendAsync(new SayFrame(null, Text(round, c, textLength), null))));
                var received = (round + 1) * Chatters;
                await Task.WhenAll(chatters.Select(chatter => chatter.WaitUntilAsync(x => x.MessageCount >= received, $"round {round}")));
            }
            await Task.WhenAll(chatters.Select(chatter => chatter.WaitUntilAsync(x => x.Count<LeftFrame>() > 0, "the sleeper's leave")));

            // Assert
            foreach (var chatter in chatters)
            {
                AssertEveryMessageInOrder(chatter);
                var left = Assert.Single(chatter.Others.OfType<LeftFrame>());
                Assert.Equal(("sleeper", LeaveReasons.Slow), (left.Name, left.Reason));
                Assert.Null(chatter.EndedBy);
            }
            var slow = server.Logs.Where(e => e.Message.Contains("disconnecting as slow", StringComparison.Ordinal)).ToList();
            Assert.Contains("(sleeper)", Assert.Single(slow).Message);
        }
        finally
        {
            foreach (var chatter in chatters)
            {
                await chatter.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Defect: the outbox limit is checked against what is queued at one instant, and the history
    /// writer hands back a whole group-commit batch (up to 1,024 messages) that the hub broadcasts
    /// in one go under its lock (HistoryWriter.Store, ChatHub.OnStored, ClientSession.Send). A burst
    /// bigger than the limit therefore lands in every member's outbox before any write loop can
    /// drain it, and members that are reading perfectly well are dropped as <c>slow</c>, the sender
    /// included. Here, with the default limits (2 MiB outbox, bursts of 500), one client sends 500
    /// messages of 15 KB, as its rate limit allows; the two readers read all the time, with receive
    /// buffers that could hold the whole burst, and should lose nothing. (Observed: the 500 messages
    /// were stored and broadcast as a single batch, about 7.5 MB at once into each outbox.)
    /// </summary>
    [Fact(Timeout = 60000)]
    public async Task A_burst_allowed_by_the_rate_limit_does_not_drop_members_that_keep_reading()
    {
        // Arrange
        const int Messages = 500;
        const int ReaderBuffer = 16 * 1024 * 1024;
        await using var server = await TestServer.StartAsync(output: output);
        // Receive buffers bigger than the whole burst: however fast these readers parse, the kernel can take it all.
        await using var reader1 = await TallyingJsonClient.JoinAsync(server.Port, "reader1", receiveBufferSize: ReaderBuffer);
        await using var reader2 = await TallyingJsonClient.JoinAsync(server.Port, "reader2", receiveBufferSize: ReaderBuffer);
        await using var sender = await TallyingJsonClient.JoinAsync(server.Port, "sender");
        var burst = Enumerable.Range(0, Messages)
            .SelectMany(i => JsonCodec.Encode(new SayFrame(null, $"{i:D4} ".PadRight(15_000, 'b'), null)))
            .ToArray();

        // Act
        await sender.SendBytesAsync(burst);
        var readers = new[] { reader1, reader2 };
        await Task.WhenAll(readers.Select(r => r.WaitUntilAsync(
            x => x.MessageCount >= Messages || x.EndedBy is not null, "every message or the end of the connection", TimeSpan.FromSeconds(30))));

        // Assert
        var dropped = string.Join("; ", server.Logs.Where(e => e.Message.Contains("disconnecting as slow", StringComparison.Ordinal)).Select(e => e.Message));
        foreach (var reader in readers)
        {
            Assert.True(reader.EndedBy is null,
                $"{reader.Name} was disconnected after {reader.MessageCount} of {Messages} messages while reading all the time; the server said: {dropped}");
            Assert.Equal(Messages, reader.MessageCount);
        }
        Assert.Equal("", dropped);
    }

    /// <summary>
    /// Defect (issue 9): <c>slow</c> was decided on how long one write took, so a client reading a
    /// big reply steadily, but slower than the server could send it, was dropped. Here the text
    /// dialect's <c>/history 500</c> answers with one block of about 7 MB (past the 1 MiB limit,
    /// within the 8-times hard bound), far more than the kernel buffers; the reader takes it at
    /// about 2 MB/s, so the server's writes wait for seconds in all, yet the socket always takes
    /// more within the grace. It must receive it all and stay connected.
    /// </summary>
    [Fact(Timeout = 60000)]
    public async Task A_client_that_reads_a_reply_far_bigger_than_the_limit_slowly_but_steadily_is_not_dropped()
    {
        // Arrange
        const int Messages = 500;
        const int TextLength = 14_000;
        var options = new ServerOptions { OutboxMaxBytes = 1024 * 1024, RatePerSecond = 0, HandshakeTimeout = TimeSpan.FromSeconds(2) };
        await using var server = await TestServer.StartAsync(options, output);
        await using (var poster = await JsonTestClient.JoinAsync(server, "poster", presence: false))
        {
            var all = Enumerable.Range(0, Messages - 1)
                .SelectMany(i => JsonCodec.Encode(new SayFrame(null, $"{i:D4} ".PadRight(TextLength, 'p'), null)))
                .ToArray();
            await poster.SendBytesAsync(all);
            await poster.SayAndWaitAsync("last ".PadRight(TextLength, 'p'));
        }
        using var reader = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { ReceiveBufferSize = 16 * 1024 };
        await reader.ConnectAsync(server.EndPoint);
        // A reconnect that missed everything: its replay (about 7 MB) is far bigger than the queue limit.
        await reader.SendAsync("{\"type\":\"hello\",\"name\":\"reader\",\"since\":{\"general\":0}}\n"u8.ToArray());
        const string End = "\"seq\":500,";

        // Act: 16 KiB, then a pause of 8 ms: about 2 MB/s, until the last message (seq 500) or the end of the connection.
        var received = 0L;
        var tail = "";
        var buffer = new byte[16 * 1024];
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        while (!(tail.Contains(End, StringComparison.Ordinal) && tail.EndsWith('\n')))
        {
            var n = await reader.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, deadline.Token);
            if (n == 0)
            {
                break;
            }
            received += n;
            tail = (tail + System.Text.Encoding.UTF8.GetString(buffer, 0, n))[^Math.Min(tail.Length + n, 2 * TextLength)..];
            await Task.Delay(8, deadline.Token);
        }
        output.WriteLine($"{received} bytes in {elapsed.ElapsedMilliseconds} ms");

        // Assert
        var dropped = string.Join("; ", server.Logs.Where(e => e.Message.Contains("disconnecting as slow", StringComparison.Ordinal)).Select(e => e.Message));
        Assert.True(tail.Contains(End, StringComparison.Ordinal), $"the replay ended after {received} bytes; the server said: {dropped}");
        Assert.True(received > Messages * TextLength, $"only {received} bytes");
        Assert.Equal("", dropped);
    }

    private static string Text(int round, int chatter, int length) =>
        $"{round:D4} chatter{chatter} ".PadRight(length, (char)('a' + chatter));

    private static void AssertEveryMessageInOrder(TallyingJsonClient chatter)
    {
        var messages = chatter.Messages;
        Assert.Equal(Enumerable.Range(1, Chatters * MessagesEach).Select(i => (long)i), messages.Select(m => m.Seq));
        for (var c = 0; c < Chatters; c++)
        {
            var from = messages.Where(m => m.From == $"chatter{c}").Select(m => m.Text[..4]).ToList();
            Assert.Equal(Enumerable.Range(0, MessagesEach).Select(i => i.ToString("D4", CultureInfo.InvariantCulture)), from);
        }
    }

    /// <summary>
    /// The sleeper's bytes pile up in three places: its outbox (the limit under test), the server's
    /// socket send buffer, which Linux grows up to tcp_wmem's maximum (4 MiB by default), and its own
    /// small receive buffer. The messages must add up to well past all three for the drop to be certain.
    /// </summary>
    private static int TextLengthToOverflowTheSleeper()
    {
        long sendBufferMax = 4 * 1024 * 1024;
        try
        {
            var fields = File.ReadAllText("/proc/sys/net/ipv4/tcp_wmem").Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
            sendBufferMax = Math.Max(sendBufferMax, long.Parse(fields[^1], CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux: keep the Linux default.
        }
        var needed = 3 * (sendBufferMax + OutboxLimit) / 2;
        return (int)Math.Clamp(needed / (Chatters * MessagesEach), 64, 12_000);
    }
}
