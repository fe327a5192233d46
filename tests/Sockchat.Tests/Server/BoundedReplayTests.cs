using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Server;

/// <summary>
/// Replies whose size depends on stored history (issue 9): a <c>since</c> replay and a
/// <c>history</c> page are read a page at a time at the pace the client reads, so clients that
/// ask and never read cannot make the server hold the history; a <c>since</c> older than what
/// retention kept gets a <c>gap</c> frame first.
/// </summary>
// Alone: its memory figures are the whole process's heap, which parallel tests would inflate.
[Collection(Sockchat.Tests.Robustness.RobustnessSerialCollection.Name)]
public sealed class BoundedReplayTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private string DbPath() => Path.Combine(_data.Path, "history.db");

    /// <summary>Writes <paramref name="count"/> messages of <paramref name="room"/> to a history file, as a server would have.</summary>
    private static async Task SeedAsync(string path, string room, int count, int textLength = 40, DateTimeOffset? ts = null)
    {
        await using var store = SqliteHistoryStore.Open(new HistoryOptions { Path = path });
        var start = ts ?? DateTimeOffset.UtcNow.AddHours(-1);
        var padding = new string('x', Math.Max(0, textLength - 12));
        for (var first = 1; first <= count; first += 1000)
        {
            var batch = Enumerable.Range(first, Math.Min(1000, count - first + 1))
                .Select(i => new MsgFrame(room, i, start.AddMilliseconds(i), "seed", $"m{i} {padding}"))
                .ToList();
            store.Append(batch);
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? within = null) =>
        WaitUntilAsync(condition, () => what, within);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after <paramref name="within"/> (20 s).</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> what, TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(20));
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            while (!condition())
            {
                await timer.WaitForNextTickAsync(timeout.Token);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
        }
        Assert.True(condition(), what());
    }

    private static HelloFrame HelloSince(string name, long seq) =>
        new(name, null, null, true, new Dictionary<string, long> { ["general"] = seq });

    [Fact(Timeout = 120_000)]
    public async Task Sixty_clients_asking_for_a_long_replay_and_never_reading_leave_server_memory_flat()
    {
        // Arrange: 30,000 stored messages of about 300 bytes (about 10 MB of frames per full replay).
        var path = DbPath();
        await SeedAsync(path, "general", 30_000, textLength: 300);
        var options = new ServerOptions { History = new HistoryOptions { Path = path, MaxMessagesPerRoom = 0 }, PingInterval = TimeSpan.FromMinutes(10) };
        await using var server = await TestServer.StartAsync(options, output);
        await using (var warm = await JsonTestClient.ConnectAsync(server.Port))
        {
            // Every code path once (JIT, pools, prepared state), so the baseline is not taken cold.
            await warm.SendAsync(HelloSince("warm", 29_000));
            await warm.ExpectAsync<MsgFrame>(m => m.Seq == 30_000, TimeSpan.FromSeconds(20));
        }
        await WaitUntilAsync(() => server.Hub.PresentCount == 0, "the warm-up client left");
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clients = new List<JsonTestClient>();
        try
        {
            // Act: 60 hellos with since 0 that never read a byte.
            for (var i = 0; i < 60; i++)
            {
                var client = await JsonTestClient.ConnectAsync(server.Port, receiveBufferSize: 4096);
                clients.Add(client);
                await client.SendAsync(HelloSince($"r{i}", 0));
            }
            await WaitUntilAsync(() => server.Hub.PresentCount == 60 && server.Hub.ActiveReplays == 60, "all 60 replays started");
            var peak = 0L;
            using var sampling = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
            for (var sample = 0; sample < 5; sample++)
            {
                await sampling.WaitForNextTickAsync();
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
            }

            // Assert: loading the replays would take about 60 x 10 MB; paged, each holds about a page.
            var grown = (peak - before) / (1024.0 * 1024.0);
            output.WriteLine($"managed memory grew by {grown:0.0} MB with 60 replays waiting");
            Assert.True(grown < 16, $"managed memory grew by {grown:0.0} MB with 60 unread replays waiting (at most 16 MB expected)");
            Assert.Equal(60, server.Hub.ActiveReplays);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Sixty_clients_asking_for_history_again_and_again_without_reading_leave_server_memory_flat()
    {
        // Arrange: 5,000 messages of 2,000 characters; each request asks for 500 (about 1 MB).
        var path = DbPath();
        await SeedAsync(path, "general", 5_000, textLength: 2_000);
        var options = new ServerOptions { History = new HistoryOptions { Path = path, MaxMessagesPerRoom = 0 }, PingInterval = TimeSpan.FromMinutes(10) };
        await using var server = await TestServer.StartAsync(options, output);
        await using (var warm = await JsonTestClient.JoinAsync(server, "warm"))
        {
            await warm.SendAsync(new HistoryFrame("general", null, null, 500));
            await warm.ExpectAsync<HistoryReplyFrame>();
        }
        await WaitUntilAsync(() => server.Hub.PresentCount == 0, "the warm-up client left");
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clients = new List<JsonTestClient>();
        try
        {
            // Act: 60 clients, 200 requests each (200 MB of answers), none read.
            for (var i = 0; i < 60; i++)
            {
                var client = await JsonTestClient.ConnectAsync(server.Port, receiveBufferSize: 4096);
                clients.Add(client);
                await client.SendAsync(new HelloFrame($"h{i}", null, null, false, null));
                for (var r = 0; r < 200; r++)
                {
                    await client.SendAsync(new HistoryFrame("general", null, null, 500));
                }
            }
            // Each client then has an answer it does not read, and its next request waiting for it to.
            await WaitUntilAsync(() => server.ConnectionCount() == 60 && server.Hub.ActiveReplays == 60, () => $"a request of every client waits for it to read ({server.Hub.ActiveReplays} of 60)");
            var peak = 0L;
            using var sampling = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
            for (var sample = 0; sample < 5; sample++)
            {
                await sampling.WaitForNextTickAsync();
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
            }

            // Assert: unbounded, 12,000 answers of about 1 MB would be queued; bounded, each client holds about a page.
            var grown = (peak - before) / (1024.0 * 1024.0);
            output.WriteLine($"managed memory grew by {grown:0.0} MB with 12,000 unread history requests");
            Assert.True(grown < 16, $"managed memory grew by {grown:0.0} MB with 12,000 unread history requests (at most 16 MB expected)");
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Live_traffic_held_behind_an_unread_replay_counts_against_the_client_queue_limit()
    {
        // Arrange: bob asks for a long replay and never reads, in a busy room.
        var path = DbPath();
        await SeedAsync(path, "general", 20_000, textLength: 300);
        var options = new ServerOptions { OutboxMaxBytes = 64 * 1024, History = new HistoryOptions { Path = path, MaxMessagesPerRoom = 0 } };
        await using var server = await TestServer.StartAsync(options, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.ConnectAsync(server.Port, receiveBufferSize: 4096);
        await bob.SendAsync(HelloSince("bob", 0));
        await alice.ExpectAsync<JoinedFrame>(j => j.Name == "bob");
        await WaitUntilAsync(() => server.Hub.ActiveReplays == 1, "bob's replay started");

        // Act: about 200 KB of live messages, three times bob's limit.
        var text = new string('y', 1_000);
        for (var i = 0; i < 200; i++)
        {
            await alice.SayAsync(text);
        }
        var left = await alice.ExpectAsync<LeftFrame>(l => l.Name == "bob", TimeSpan.FromSeconds(20));

        // Assert
        Assert.Equal("slow", left.Reason);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_reconnect_replay_of_many_pages_arrives_whole_and_in_order_before_live_messages()
    {
        // Arrange: more than a few pages on disk, the newest in the cache.
        var path = DbPath();
        await SeedAsync(path, "general", 3_000);
        var options = new ServerOptions { HistoryCache = 100, History = new HistoryOptions { Path = path, MaxMessagesPerRoom = 0 } };
        await using var server = await TestServer.StartAsync(options, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.ConnectAsync(server.Port);

        // Act
        await bob.SendAsync(HelloSince("bob", 10));
        await alice.ExpectAsync<JoinedFrame>(j => j.Name == "bob");
        await alice.SayAsync("live");
        await bob.ExpectAsync<MsgFrame>(m => m.Text == "live", TimeSpan.FromSeconds(30));

        // Assert
        var seen = bob.Received<MsgFrame>().ToList();
        Assert.Equal(Enumerable.Range(11, 2_991).Select(i => (long)i), seen.Select(m => m.Seq));  // 11..3000, then the live 3001
        Assert.All(seen[..^1], m => Assert.True(m.History));
        Assert.False(seen[^1].History);
        Assert.Empty(bob.Received<GapFrame>());
    }

    [Fact(Timeout = 15_000)]
    public async Task A_joiner_whose_replay_the_cache_cannot_hold_gets_the_last_few_from_disk_before_live_messages()
    {
        // Arrange: a cache of 2, a replay of 5.
        await using var server = await TestServer.StartAsync(new ServerOptions { HistoryCache = 2, HistoryReplay = 5 }, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        for (var i = 1; i <= 8; i++)
        {
            await alice.SayAndWaitAsync($"m{i}");
        }

        // Act
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await alice.SayAsync("live");
        await bob.ExpectAsync<MsgFrame>(m => m.Text == "live");

        // Assert
        Assert.Equal(["m4", "m5", "m6", "m7", "m8", "live"], bob.Received<MsgFrame>().Select(m => m.Text));
        Assert.Equal([true, true, true, true, true, false], bob.Received<MsgFrame>().Select(m => m.History));
    }

    [Fact(Timeout = 15_000)]
    public async Task A_text_joiner_whose_replay_comes_from_disk_sees_one_block_with_its_header_and_end()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(new ServerOptions { HistoryCache = 2, HistoryReplay = 5 }, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        for (var i = 1; i <= 8; i++)
        {
            await alice.SayAndWaitAsync($"m{i}");
        }

        // Act
        await using var bob = await TextTestClient.JoinAsync(server, "bob");
        await bob.ExpectLineAsync(l => l == "* end of history");

        // Assert
        var block = bob.Lines.SkipWhile(l => !l.StartsWith("* last", StringComparison.Ordinal)).ToList();
        Assert.Equal("* last 5 messages in #general:", block[0]);
        Assert.Equal(["alice: m4", "alice: m5", "alice: m6", "alice: m7", "alice: m8"], block[1..^1].Select(l => l[11..]));
        Assert.Equal("* end of history", block[^1]);
    }

    [Fact(Timeout = 15_000)]
    public async Task A_since_older_than_retention_kept_gets_a_gap_frame_before_what_is_left()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(new ServerOptions { History = new HistoryOptions { MaxMessagesPerRoom = 5 } }, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        for (var i = 1; i <= 12; i++)
        {
            await alice.SayAndWaitAsync($"m{i}");
        }
        await using var bob = await JsonTestClient.ConnectAsync(server.Port);

        // Act
        await bob.SendAsync(HelloSince("bob", 2));
        await bob.ExpectAsync<WelcomeFrame>();
        await bob.SyncAsync();

        // Assert: told that 3 to 7 are gone, then 8 to 12, in that order.
        var replay = bob.Frames.Where(f => f is GapFrame or MsgFrame).ToList();
        Assert.Equal(new GapFrame("general", 3, 7), replay[0]);
        Assert.Equal([8L, 9L, 10L, 11L, 12L], replay.Skip(1).Cast<MsgFrame>().Select(m => m.Seq));
    }

    [Fact(Timeout = 15_000)]
    public async Task A_since_of_which_nothing_is_kept_gets_only_a_gap_frame()
    {
        // Arrange: every stored message is past the age limit and goes at start.
        var path = DbPath();
        await SeedAsync(path, "general", 20, ts: DateTimeOffset.UtcNow.AddDays(-10));
        var options = new ServerOptions { History = new HistoryOptions { Path = path, MaxAge = TimeSpan.FromDays(1) } };
        await using var server = await TestServer.StartAsync(options, output);
        await using var bob = await JsonTestClient.ConnectAsync(server.Port);

        // Act
        await bob.SendAsync(HelloSince("bob", 4));
        await bob.ExpectAsync<WelcomeFrame>();
        await bob.SyncAsync();

        // Assert
        Assert.Equal([new GapFrame("general", 5, 20)], bob.Received<GapFrame>());
        Assert.Empty(bob.Received<MsgFrame>());
    }

    [Fact(Timeout = 15_000)]
    public async Task A_complete_replay_has_no_gap_frame()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        for (var i = 1; i <= 4; i++)
        {
            await alice.SayAndWaitAsync($"m{i}");
        }
        await using var bob = await JsonTestClient.ConnectAsync(server.Port);

        // Act
        await bob.SendAsync(HelloSince("bob", 1));
        await bob.ExpectAsync<WelcomeFrame>();
        await bob.SyncAsync();

        // Assert
        Assert.Empty(bob.Received<GapFrame>());
        Assert.Equal([2L, 3L, 4L], bob.Received<MsgFrame>().Select(m => m.Seq));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_history_request_gets_at_most_500_messages_however_many_it_asks_for()
    {
        // Arrange
        var path = DbPath();
        await SeedAsync(path, "general", 2_000, textLength: 16);
        await using var server = await TestServer.StartAsync(new ServerOptions { History = new HistoryOptions { Path = path, MaxMessagesPerRoom = 0 } }, output);
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");

        // Act
        await bob.SendAsync(new HistoryFrame("general", null, null, 100_000));
        var page = await bob.ExpectAsync<HistoryReplyFrame>();

        // Assert: the newest, oldest first, no more than the documented maximum.
        Assert.InRange(page.Messages.Count, 1, ReplayLimits.MaxHistoryLimit);
        Assert.Equal(2_000, page.Messages[^1].Seq);
        Assert.Equal(Enumerable.Range((int)page.Messages[0].Seq, page.Messages.Count).Select(i => (long)i), page.Messages.Select(m => m.Seq));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_history_page_of_long_messages_stops_at_its_byte_budget_and_the_client_pages_on_with_before()
    {
        // Arrange: 100 messages of 4000 characters (400 KB); a page holds about 32 KiB of them.
        var path = DbPath();
        await SeedAsync(path, "general", 100, textLength: 4_000);
        await using var server = await TestServer.StartAsync(new ServerOptions { History = new HistoryOptions { Path = path } }, output);
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");

        // Act
        await bob.SendAsync(new HistoryFrame("general", null, null, 100));
        var newest = await bob.ExpectAsync<HistoryReplyFrame>();
        await bob.SendAsync(new HistoryFrame("general", newest.Messages[0].Seq, null, 100));
        var older = await bob.ExpectAsync<HistoryReplyFrame>();

        // Assert
        Assert.InRange(newest.Messages.Count, 1, 20);
        Assert.Equal(100, newest.Messages[^1].Seq);
        Assert.Equal(newest.Messages[0].Seq - 1, older.Messages[^1].Seq);
    }
}
