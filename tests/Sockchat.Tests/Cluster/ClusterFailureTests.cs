using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Server.Cluster;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Cluster;

/// <summary>Issue 11, failures: nodes whose lease runs out, and a node that loses PostgreSQL and gets it back.</summary>
public sealed class ClusterFailureTests(ITestOutputHelper output) : ClusterTest
{
    private Task<TestServer> NodeAsync(string? connectionString = null, TimeProvider? time = null, TimeSpan? lease = null) => TestServer.StartAsync(new ServerOptions
    {
        Cluster = new ClusterOptions
        {
            ConnectionString = connectionString ?? Db.ConnectionString,
            Lease = lease ?? TimeSpan.FromSeconds(30),
            PollInterval = TimeSpan.FromMilliseconds(500),
            ReconnectMax = TimeSpan.FromMilliseconds(500),
        },
    }, output, time);

    /// <summary>A proxy to the test's PostgreSQL that can be cut and restored.</summary>
    private CuttableProxy Proxy()
    {
        var direct = new NpgsqlConnectionStringBuilder(Db.ConnectionString);
        return new CuttableProxy(direct.Host!, direct.Port);
    }

    /// <summary>The test database's connection string through <paramref name="proxy"/>, with short timeouts so a cut shows quickly.</summary>
    private string ViaProxy(CuttableProxy proxy) =>
        new NpgsqlConnectionStringBuilder(Db.ConnectionString) { Port = proxy.Port, Timeout = 3, CommandTimeout = 5 }.ConnectionString;

    /// <summary>A node that died without a word: its row, a user holding a name, in #general.</summary>
    private async Task<long> DeadNodeWithUserAsync(string name, long heartbeatMs)
    {
        var id = await Db.ScalarAsync($"INSERT INTO nodes (host, started_ms, heartbeat_ms) VALUES ('gone', {heartbeatMs}, {heartbeatMs}) RETURNING id");
        await Db.ExecuteAsync($"""
            INSERT INTO users (name_key, name, node_id) VALUES ('{name}', '{name}', {id});
            INSERT INTO members (node_id, room, name_key, name) VALUES ({id}, 'general', '{name}', '{name}');
            INSERT INTO rooms (room, last_seq, last_event) VALUES ('general', 0, 0) ON CONFLICT DO NOTHING;
            """);
        return id;
    }

    [Fact(Timeout = 30000)]
    public async Task Users_of_a_node_whose_lease_ran_out_leave_as_disconnected_and_their_names_are_free()
    {
        // Arrange
        await using var a = await NodeAsync();
        await using var b = await NodeAsync();
        await using var bob = await JsonTestClient.JoinAsync(b, "bob");
        var dead = await DeadNodeWithUserAsync("ghost", heartbeatMs: 0);
        var refused = await JsonTestClient.ConnectAsync(a.Port);
        await refused.SendAsync(new HelloFrame("ghost", null, null, true, null));
        Assert.Equal(ErrorCodes.NameTaken, (await refused.ExpectAsync<ErrorFrame>()).Code);
        await refused.DisposeAsync();

        // Act
        var reaped = await a.Server.Cluster!.ReapNowAsync(CancellationToken.None);

        // Assert
        Assert.Equal([dead], reaped);
        var left = await bob.ExpectAsync<LeftFrame>(l => l.Name == "ghost");
        Assert.Equal(LeaveReasons.Disconnected, left.Reason);
        Assert.Equal(0, await Db.ScalarAsync($"SELECT count(*) FROM users WHERE node_id = {dead}"));
        await using var ghost = await JsonTestClient.JoinAsync(a, "ghost");
        Assert.Equal("ghost", ghost.Welcome!.Name);
    }

    [Fact(Timeout = 30000)]
    public async Task Users_of_a_node_stopped_on_purpose_leave_as_shutdown_everywhere_and_their_names_are_free_at_once()
    {
        // Arrange: alice on node a in two rooms, bob watching both from node b.
        var a = await NodeAsync();
        await using var b = await NodeAsync();
        await using var bob = await JsonTestClient.JoinAsync(b, "bob");
        await bob.SendAsync(new JoinFrame("dev"));
        await bob.ExpectAsync<JoinedFrame>(j => j.Name == "bob" && j.Room == "dev");
        var alice = await JsonTestClient.JoinAsync(a, "alice");
        await alice.SendAsync(new JoinFrame("dev"));
        await bob.ExpectAsync<JoinedFrame>(j => j.Name == "alice" && j.Room == "dev");

        // Act
        await a.DisposeAsync();
        await alice.DisposeAsync();

        // Assert: bob is told in both rooms, long before any lease could run out; the name is free.
        var left = new[]
        {
            await bob.ReceivedOrExpectAsync<LeftFrame>(l => l.Name == "alice" && l.Room == "general"),
            await bob.ReceivedOrExpectAsync<LeftFrame>(l => l.Name == "alice" && l.Room == "dev"),
        };
        Assert.All(left, l => Assert.Equal(LeaveReasons.Shutdown, l.Reason));
        await bob.SendAsync(new WhoFrame("dev"));
        Assert.Equal(["bob"], (await bob.ExpectAsync<WhoReplyFrame>()).Names);
        await using var again = await JsonTestClient.JoinAsync(b, "alice");
        Assert.Equal("alice", again.Welcome!.Name);
    }

    [Fact(Timeout = 30000)]
    public async Task A_node_renews_its_lease_and_removes_an_expired_one_on_its_own_clock()
    {
        // Arrange: the node's clock is fake; the silent node last beat at the node's "now".
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var a = await NodeAsync(time: clock, lease: TimeSpan.FromSeconds(30));
        await using var watcher = await JsonTestClient.JoinAsync(a, "watcher");
        var dead = await DeadNodeWithUserAsync("ghost", clock.GetUtcNow().ToUnixTimeMilliseconds());
        var self = a.Server.Cluster!.Store.NodeId;

        // Act: within the lease nothing happens; past it, a heartbeat tick removes the silent node.
        clock.Advance(TimeSpan.FromSeconds(10));
        await WaitUntilAsync(async () => await Db.ScalarAsync($"SELECT heartbeat_ms FROM nodes WHERE id = {self}") >= clock.GetUtcNow().ToUnixTimeMilliseconds());
        Assert.Equal(1, await Db.ScalarAsync($"SELECT count(*) FROM nodes WHERE id = {dead}"));
        for (var i = 0; i < 3; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
        }
        var left = await watcher.ExpectAsync<LeftFrame>(l => l.Name == "ghost");

        // Assert
        Assert.Equal(LeaveReasons.Disconnected, left.Reason);
        Assert.Equal(0, await Db.ScalarAsync($"SELECT count(*) FROM nodes WHERE id = {dead}"));
        Assert.Equal(1, await Db.ScalarAsync($"SELECT count(*) FROM nodes WHERE id = {self}"));
    }

    [Fact(Timeout = 60000)]
    public async Task A_node_that_loses_postgresql_refuses_to_ack_reports_unhealthy_and_resumes_without_loss_or_duplicate()
    {
        // Arrange
        await using var proxy = Proxy();
        await using var cut = await NodeAsync(ViaProxy(proxy));
        await using var fine = await NodeAsync();
        await using var onCut = await JsonTestClient.JoinAsync(cut, "oncut");
        await using var onFine = await JsonTestClient.JoinAsync(fine, "onfine");
        await onCut.SayAndWaitAsync("before");

        // Act 1: PostgreSQL goes away for the first node.
        await proxy.CutAsync();
        await onCut.SayAsync("while cut", id: "c1");
        var error = await onCut.ExpectAsync<ErrorFrame>(e => e.Id?.Text == "c1", TimeSpan.FromSeconds(15));
        Assert.Equal(ErrorCodes.ServerError, error.Code);
        Assert.False(cut.Server.Healthy);
        await onFine.SayAndWaitAsync("from the fine node meanwhile");

        // Act 2: it comes back.
        proxy.Restore();
        // Healthy again without any chat traffic (a load balancer sends none to a 503 node).
        await WaitUntilAsync(() => Task.FromResult(cut.Server.Healthy));
        var seq = await SayUntilStoredAsync(onCut, "after");

        // Assert: every member on both nodes has 1..seq once, in order; the refused message is nowhere.
        foreach (var client in new[] { onCut, onFine })
        {
            await client.ReceivedOrExpectAsync<MsgFrame>(m => m.Seq == seq, TimeSpan.FromSeconds(15));
            var seen = client.Received<MsgFrame>().Select(m => m.Seq).ToList();
            Assert.Equal(Enumerable.Range(1, (int)seq).Select(i => (long)i), seen);
            Assert.DoesNotContain(client.Received<MsgFrame>(), m => m.Text == "while cut");
            Assert.Contains(client.Received<MsgFrame>(), m => m.Text == "from the fine node meanwhile");
        }
        Assert.Equal(seq, await Db.ScalarAsync("SELECT count(*) FROM messages"));
    }

    [Fact(Timeout = 60000)]
    public async Task A_dm_sent_while_the_targets_node_cannot_hear_postgresql_arrives_once_it_is_back()
    {
        // Arrange: bob's node reaches PostgreSQL through a proxy that can be cut.
        await using var proxy = Proxy();
        await using var cut = await NodeAsync(ViaProxy(proxy));
        await using var fine = await NodeAsync();
        await using var bob = await JsonTestClient.JoinAsync(cut, "bob");
        await using var alice = await JsonTestClient.JoinAsync(fine, "alice");

        // Act: with bob's node cut off, alice's DMs are stored and acknowledged all the same.
        await proxy.CutAsync();
        await WaitUntilAsync(() => Task.FromResult(!cut.Server.Healthy));
        await alice.SendAsync(new DmFrame("bob", "first", FrameId.FromString("d1")));
        await alice.ExpectAsync<AckFrame>(ack => ack.Id.Text == "d1");
        await alice.SendAsync(new DmFrame("bob", "second", FrameId.FromString("d2")));
        await alice.ExpectAsync<AckFrame>(ack => ack.Id.Text == "d2");
        await bob.SyncAsync();
        Assert.Empty(bob.Received<DmMessageFrame>());
        proxy.Restore();
        await bob.ExpectAsync<DmMessageFrame>(dm => dm.Text == "second", TimeSpan.FromSeconds(15));

        // Assert: both, once each, in the order sent; and the next one travels as usual.
        await alice.SendAsync(new DmFrame("bob", "third", FrameId.FromString("d3")));
        await bob.ExpectAsync<DmMessageFrame>(dm => dm.Text == "third");
        Assert.Equal(["first", "second", "third"], bob.Received<DmMessageFrame>().Select(dm => dm.Text));
    }

    /// <summary>Says the text until a try is acked (each refused try is answered with server_error and not stored); its seq.</summary>
    private static async Task<long> SayUntilStoredAsync(JsonTestClient client, string text)
    {
        for (var attempt = 0; attempt < 40; attempt++)
        {
            var id = $"{text}-{attempt}";
            await client.SayAsync(text, id);
            var answer = await client.ExpectAsync<ServerFrame>(f => f is AckFrame a && a.Id.Text == id || f is ErrorFrame e && e.Id?.Text == id, TimeSpan.FromSeconds(15));
            if (answer is AckFrame { Seq: { } seq })
            {
                return seq;
            }
            await Task.Delay(250);
        }
        throw new Xunit.Sdk.XunitException($"'{text}' was never stored");
    }

    /// <summary>Polls a condition, bounded (at most 15 s, 300 looks).</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        for (var i = 0; i < 300 && DateTime.UtcNow < deadline; i++)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException("the condition did not become true within 15 s");
    }
    [Fact(Timeout = 30000)]
    public async Task A_commit_whose_notification_never_came_reaches_a_quiet_room_while_another_room_is_busy()
    {
        // Arrange: alice is in a quiet room and in a busy one on node a, whose poll comes every 2 s.
        await using var a = await TestServer.StartAsync(new ServerOptions
        {
            Cluster = new ClusterOptions { ConnectionString = Db.ConnectionString, PollInterval = TimeSpan.FromSeconds(2) },
        }, output);
        await using var alice = await JsonTestClient.JoinAsync(a, "alice", room: "quiet");
        await alice.SendAsync(new JoinFrame("busy", null));
        await alice.ExpectAsync<JoinedFrame>(j => j.Room == "busy" && j.Name == "alice");
        var seq = await alice.SayAndWaitAsync("first", "quiet");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var busy = Task.Run(async () =>
        {
            // Notifications every 20 ms or so: the node never goes a poll interval without one.
            for (var n = 0; n < 1000 && !stop.IsCancellationRequested; n++)
            {
                await alice.SayAsync($"busy {n}", room: "busy");
                await Task.Delay(20, CancellationToken.None);
            }
        });

        // Act: a commit in the quiet room whose notification is lost (as from a node this one cannot hear).
        await Db.ExecuteAsync($"""
            UPDATE rooms SET last_seq = last_seq + 1 WHERE room = 'quiet';
            INSERT INTO messages (room, seq, ts_ms, sender, text, kind, node_id) VALUES ('quiet', {seq + 1}, 1764000000000, 'carol', 'unheard', 'say', 0);
            """);
        var unheard = await alice.ExpectAsync<MsgFrame>(m => m.Text == "unheard", TimeSpan.FromSeconds(8));
        await stop.CancelAsync();
        await busy;

        // Assert: read by the poll, in its place.
        Assert.Equal(("quiet", seq + 1, "carol"), (unheard.Room, unheard.Seq, unheard.From));
    }
}
