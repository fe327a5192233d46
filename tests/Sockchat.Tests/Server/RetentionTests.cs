using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Server;

/// <summary>
/// Retention: at most <see cref="HistoryOptions.MaxMessagesPerRoom"/> messages per room and none
/// older than <see cref="HistoryOptions.MaxAge"/>, applied by the store and obeyed by what the
/// server replays; seq is never reused after messages were removed.
/// </summary>
public sealed class RetentionTests(ITestOutputHelper output) : IDisposable
{
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private string DbPath() => Path.Combine(_data.Path, "history.db");

    private static async Task<List<MsgFrame>> QueryAllAsync(SqliteHistoryStore store, string room)
    {
        using var timeout = new CancellationTokenSource(LineConnection.DefaultWait);
        return await store.QueryAsync(room, before: null, after: null, int.MaxValue, long.MaxValue, timeout.Token);
    }

    private static async Task PostAsync(JsonTestClient client, int from, int to)
    {
        for (var i = from; i <= to; i++)
        {
            await client.SayAndWaitAsync($"m{i}");
        }
    }

    // --- the store ---

    [Fact(Timeout = 15000)]
    public async Task Trimming_by_age_deletes_messages_older_than_the_cutoff_and_keeps_the_rest()
    {
        // Arrange
        await using var store = SqliteHistoryStore.Open(new HistoryOptions { Path = DbPath() });
        var maxAge = TimeSpan.FromHours(1);
        store.Append(
        [
            new MsgFrame("general", 1, Now - TimeSpan.FromDays(3), "alice", "ancient"),
            new MsgFrame("general", 2, Now - maxAge - TimeSpan.FromMilliseconds(1), "alice", "just too old"),
            new MsgFrame("general", 3, Now - maxAge, "alice", "exactly at the cutoff"),
            new MsgFrame("general", 4, Now - TimeSpan.FromMinutes(5), "alice", "recent"),
            new MsgFrame("dev", 1, Now - TimeSpan.FromHours(2), "bob", "old elsewhere"),
            new MsgFrame("dev", 2, Now, "bob", "new elsewhere"),
        ]);

        // Act
        var removed = store.Trim(maxPerRoom: 0, maxAge, Now);

        // Assert
        Assert.Equal(3, removed);
        Assert.Equal(["exactly at the cutoff", "recent"], (await QueryAllAsync(store, "general")).Select(m => m.Text));
        Assert.Equal(["new elsewhere"], (await QueryAllAsync(store, "dev")).Select(m => m.Text));
        Assert.Equal(new Dictionary<string, long> { ["general"] = 4, ["dev"] = 2 }, store.LoadLastSeqs());
    }

    [Fact(Timeout = 15000)]
    public async Task Trimming_by_count_keeps_the_newest_of_each_room_and_remembers_the_last_seq()
    {
        // Arrange
        await using var store = SqliteHistoryStore.Open(new HistoryOptions { Path = DbPath() });
        store.Append([.. Enumerable.Range(1, 12).Select(i => new MsgFrame("general", i, Now, "alice", $"m{i}"))]);
        store.Append([.. Enumerable.Range(1, 3).Select(i => new MsgFrame("dev", i, Now, "bob", $"d{i}"))]);

        // Act
        var removed = store.Trim(maxPerRoom: 5, maxAge: null, Now);
        var again = store.Trim(maxPerRoom: 5, maxAge: null, Now);

        // Assert
        Assert.Equal(7, removed);
        Assert.Equal(0, again);
        Assert.Equal([8L, 9L, 10L, 11L, 12L], (await QueryAllAsync(store, "general")).Select(m => m.Seq));
        Assert.Equal([1L, 2L, 3L], (await QueryAllAsync(store, "dev")).Select(m => m.Seq));
        Assert.Equal(new Dictionary<string, long> { ["general"] = 12, ["dev"] = 3 }, store.LoadLastSeqs());
    }

    // --- through a server ---

    [Fact(Timeout = 15000)]
    public async Task Retention_at_start_keeps_the_newest_messages_and_seq_is_never_reused()
    {
        // Arrange
        var options = new ServerOptions { History = new HistoryOptions { Path = DbPath(), MaxMessagesPerRoom = 5 } };
        await using (var first = await TestServer.StartAsync(options, output))
        {
            await using var alice = await JsonTestClient.JoinAsync(first, "alice");
            await PostAsync(alice, 1, 12);
        }

        // Act
        await using var second = await TestServer.StartAsync(options, output);
        await using var bob = await JsonTestClient.JoinAsync(second, "bob");
        await bob.SendAsync(new HistoryFrame("general", null, null, 100));
        var page = await bob.ExpectAsync<HistoryReplyFrame>();
        var next = await bob.SayAndWaitAsync("after the restart");

        // Assert
        Assert.Equal([8L, 9L, 10L, 11L, 12L], page.Messages.Select(m => m.Seq));
        Assert.Equal(["m8", "m9", "m10", "m11", "m12"], page.Messages.Select(m => m.Text));
        Assert.Equal(13, next);
        Assert.Contains(second.Logs, e => e.Message.Contains("retention removed 7", StringComparison.Ordinal));
    }

    [Fact(Timeout = 15000)]
    public async Task A_reconnect_from_before_retention_gets_only_the_kept_messages_after_a_restart()
    {
        // Arrange
        var options = new ServerOptions { HistoryReplay = 2, History = new HistoryOptions { Path = DbPath(), MaxMessagesPerRoom = 5 } };
        await using (var first = await TestServer.StartAsync(options, output))
        {
            await using var alice = await JsonTestClient.JoinAsync(first, "alice");
            await PostAsync(alice, 1, 12);
        }
        await using var second = await TestServer.StartAsync(options, output);
        await using var bob = await JsonTestClient.ConnectAsync(second.Port);

        // Act
        await bob.SendAsync(new HelloFrame("bob", null, null, true, new Dictionary<string, long> { ["general"] = 2 }));
        await bob.ExpectAsync<WelcomeFrame>();
        await bob.SyncAsync();

        // Assert
        Assert.Equal([8L, 9L, 10L, 11L, 12L], bob.Received<MsgFrame>().Select(m => m.Seq));
        Assert.All(bob.Received<MsgFrame>(), m => Assert.True(m.History));
    }

    [Fact(Timeout = 15000)]
    public async Task A_newcomer_is_never_replayed_more_than_the_room_keeps()
    {
        // Arrange: the replay (50) and the cache (1000) would both allow more than retention keeps.
        await using var server = await TestServer.StartAsync(new ServerOptions { History = new HistoryOptions { MaxMessagesPerRoom = 5 } }, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await PostAsync(alice, 1, 12);

        // Act
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await bob.SyncAsync();

        // Assert
        var replayed = bob.Received<MsgFrame>().ToList();
        Assert.Equal([8L, 9L, 10L, 11L, 12L], replayed.Select(m => m.Seq));
        Assert.All(replayed, m => Assert.True(m.History));
    }

    [Fact(Timeout = 15000)]
    public async Task A_newcomer_after_a_restart_is_replayed_only_what_retention_kept()
    {
        // Arrange
        var options = new ServerOptions { History = new HistoryOptions { Path = DbPath(), MaxMessagesPerRoom = 3 } };
        await using (var first = await TestServer.StartAsync(options, output))
        {
            await using var alice = await JsonTestClient.JoinAsync(first, "alice");
            await PostAsync(alice, 1, 7);
        }
        await using var second = await TestServer.StartAsync(options, output);

        // Act
        await using var bob = await JsonTestClient.JoinAsync(second, "bob");
        await bob.SyncAsync();

        // Assert
        Assert.Equal(["m5", "m6", "m7"], bob.Received<MsgFrame>().Select(m => m.Text));
    }
}
