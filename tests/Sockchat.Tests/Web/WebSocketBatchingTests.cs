using System.Text;

namespace Sockchat.Tests.Web;

/// <summary>
/// The WebSocket transport's batches (issue 10): several lines written at once still reach the
/// client as one whole text message each, in order, but in one write to the connection; a ping
/// the client sends meanwhile is answered with whole frames around it; and a batch the client
/// does not take still ends when the session gives up on it. Checked on the bytes of the frames.
/// </summary>
public sealed class WebSocketBatchingTests
{
    [Fact(Timeout = 15000)]
    public async Task A_batch_of_lines_arrives_as_one_message_each_in_order_from_one_write_to_the_connection()
    {
        // Arrange
        await using var pair = await RawWebSocketPair.StartAsync();
        var lines = Enumerable.Range(0, 200).Select(i => $"{{\"type\":\"msg\",\"n\":{i}}}").ToList();
        using var timeout = new CancellationTokenSource(RawWebSocketPair.DefaultWait);

        // Act
        await pair.Transport.WriteAsync(Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n"))), timeout.Token);

        // Assert
        foreach (var line in lines)
        {
            Assert.Equal((WebSocketFrameKind.Text, line), await pair.ReadFrameAsync(timeout.Token));
        }
        Assert.Equal(1, pair.Connection.Writes);
    }

    [Fact(Timeout = 15000)]
    public async Task A_single_line_and_a_long_line_each_arrive_whole()
    {
        // Arrange
        await using var pair = await RawWebSocketPair.StartAsync();
        var longLine = new string('x', 70_000); // longer than the batch buffer, and than a 16-bit frame length
        using var timeout = new CancellationTokenSource(RawWebSocketPair.DefaultWait);

        // Act (the client reads meanwhile: its kernel buffer is smaller than the long line)
        var writing = WriteBothAsync();

        // Assert
        Assert.Equal((WebSocketFrameKind.Text, "one"), await pair.ReadFrameAsync(timeout.Token));
        Assert.Equal((WebSocketFrameKind.Text, "before"), await pair.ReadFrameAsync(timeout.Token));
        Assert.Equal((WebSocketFrameKind.Text, longLine), await pair.ReadFrameAsync(timeout.Token));
        Assert.Equal((WebSocketFrameKind.Text, "after"), await pair.ReadFrameAsync(timeout.Token));
        await writing;

        async Task WriteBothAsync()
        {
            await pair.Transport.WriteAsync("one\n"u8.ToArray(), timeout.Token);
            await pair.Transport.WriteAsync(Encoding.UTF8.GetBytes($"before\n{longLine}\nafter\n"), timeout.Token);
        }
    }

    [Fact(Timeout = 30000)]
    public async Task Pings_from_the_client_during_bursts_are_answered_and_every_frame_arrives_whole_and_in_order()
    {
        // Arrange: the server writes batches of 50 lines without pause while the client pings
        await using var pair = await RawWebSocketPair.StartAsync();
        using var stopWriting = new CancellationTokenSource();
        var writing = WriteBurstsAsync(pair, stopWriting.Token);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var next = 0;
        var pongs = 0;

        // Act: twenty pings, each waited for among the burst's frames
        for (var ping = 0; ping < 20; ping++)
        {
            await pair.PingAsync($"keepalive {ping}");
            while (true)
            {
                var (kind, payload) = await pair.ReadFrameAsync(timeout.Token);
                if (kind == WebSocketFrameKind.Pong)
                {
                    Assert.Equal($"keepalive {ping}", payload);
                    pongs++;
                    break;
                }
                // Assert (as they come): every text frame is the next line, whole
                Assert.Equal((WebSocketFrameKind.Text, $"line {next}"), (kind, payload));
                next++;
            }
        }
        await stopWriting.CancelAsync();
        await writing;

        // Assert
        Assert.Equal(20, pongs);
        Assert.True(next > 0, "no burst was written around the pings");
    }

    [Fact(Timeout = 15000)]
    public async Task A_batch_the_client_does_not_take_ends_when_the_session_cancels_it()
    {
        // Arrange: the connection takes nothing, as a client that stopped reading with full buffers
        await using var pair = await RawWebSocketPair.StartAsync();
        pair.Connection.Hold();
        using var session = new CancellationTokenSource();
        var lines = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 100).Select(i => $"line {i}\n")));
        var write = pair.Transport.WriteAsync(lines, session.Token).AsTask();

        // Act
        await session.CancelAsync();

        // Assert
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => write.WaitAsync(RawWebSocketPair.DefaultWait));
        Assert.True(pair.Transport.IsConnectionError(failure), $"not a connection's end: {failure}");
    }

    /// <summary>Batches of 50 lines, numbered on, until stopped (or the connection ends).</summary>
    private static async Task WriteBurstsAsync(RawWebSocketPair pair, CancellationToken stop)
    {
        var n = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var batch = new StringBuilder();
                for (var i = 0; i < 50; i++)
                {
                    batch.Append("line ").Append(n++).Append('\n');
                }
                await pair.Transport.WriteAsync(Encoding.UTF8.GetBytes(batch.ToString()), stop);
                // These writes mostly complete at once: without a yield this loop and the client's
                // would keep both of a small machine's pool threads, and the server's read loop
                // (which answers the ping) would wait for the pool to add a thread.
                await Task.Yield();
            }
        }
        catch (Exception ex) when (stop.IsCancellationRequested && pair.Transport.IsConnectionError(ex))
        {
            // Stopped while a write waited for the client, which no longer reads.
        }
    }
}
