using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Server;

/// <summary>Stored history: resuming with <c>since</c>, backfill from disk, and seq across restarts.</summary>
public sealed class HistoryTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private static async Task PostAsync(JsonTestClient client, int from, int to)
    {
        for (var i = from; i <= to; i++)
        {
            await client.SayAndWaitAsync($"m{i}");
        }
    }

    [Fact(Timeout = 15000)]
    public async Task A_reconnecting_client_gets_exactly_what_it_missed()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(new ServerOptions { HistoryReplay = 1 }, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await PostAsync(alice, 1, 5);
        await using var bob = await JsonTestClient.ConnectAsync(server.Port);

        // Act
        await bob.SendAsync(new HelloFrame("bob", null, null, true, new Dictionary<string, long> { ["general"] = 2 }));
        await bob.ExpectAsync<WelcomeFrame>();
        await bob.SyncAsync();

        // Assert
        Assert.Equal([3L, 4L, 5L], bob.Received<MsgFrame>().Select(m => m.Seq));
        Assert.All(bob.Received<MsgFrame>(), m => Assert.True(m.History));
    }

    [Fact(Timeout = 15000)]
    public async Task Missed_messages_beyond_the_cache_are_read_from_disk_and_arrive_before_live_ones()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(new ServerOptions { HistoryCache = 2, HistoryReplay = 1 }, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await PostAsync(alice, 1, 6);
        await using var bob = await JsonTestClient.ConnectAsync(server.Port);

        // Act
        await bob.SendAsync(new HelloFrame("bob", null, null, true, new Dictionary<string, long> { ["general"] = 1 }));
        await alice.ExpectAsync<JoinedFrame>(j => j.Name == "bob");
        await alice.SayAsync("live");
        await bob.ExpectAsync<MsgFrame>(m => m.Text == "live");

        // Assert
        var seen = bob.Received<MsgFrame>().ToList();
        Assert.Equal([2L, 3L, 4L, 5L, 6L, 7L], seen.Select(m => m.Seq));
        Assert.All(seen.Take(5), m => Assert.True(m.History));
        Assert.False(seen[^1].History);
    }

    [Fact(Timeout = 15000)]
    public async Task A_join_with_since_resumes_a_room_after_that_seq()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice", room: "dev");
        await PostAsync(alice, 1, 4);
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");

        // Act
        await bob.SendAsync(new JoinFrame("dev", Since: 3));
        await bob.ExpectAsync<JoinedFrame>(j => j.Room == "dev");
        await bob.SyncAsync();

        // Assert
        Assert.Equal([("dev", 4L)], bob.Received<MsgFrame>().Select(m => (m.Room, m.Seq)));
    }

    [Fact(Timeout = 15000)]
    public async Task Seq_and_history_survive_a_restart_with_a_history_file()
    {
        // Arrange
        var options = new ServerOptions { History = new HistoryOptions { Path = Path.Combine(_data.Path, "history.db") } };
        await using (var first = await TestServer.StartAsync(options, output))
        {
            await using var alice = await JsonTestClient.JoinAsync(first, "alice");
            await PostAsync(alice, 1, 3);
        }

        // Act
        await using var second = await TestServer.StartAsync(options, output);
        await using var bob = await JsonTestClient.JoinAsync(second, "bob");
        var seq = await bob.SayAndWaitAsync("after the restart");

        // Assert
        Assert.Equal(4, seq);
        Assert.Equal(["m1", "m2", "m3"], bob.Received<MsgFrame>().Where(m => m.History).Select(m => m.Text));
    }

    [Fact(Timeout = 15000)]
    public async Task A_message_is_acknowledged_only_after_it_was_broadcast()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");

        // Act
        await alice.SayAsync("hello", id: "a1");
        await alice.ExpectAsync<AckFrame>(a => a.Id.Text == "a1");

        // Assert: the sender's own copy came first.
        Assert.Single(alice.Received<MsgFrame>(), m => m.Text == "hello");
    }
}
