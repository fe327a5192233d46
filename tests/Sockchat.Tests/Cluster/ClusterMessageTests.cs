using Microsoft.Extensions.Time.Testing;
using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Server.Cluster;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Cluster;

/// <summary>
/// Issue 11, messages across nodes: several cluster nodes in this process (each a real
/// ChatServer on its own loopback port) sharing one fresh PostgreSQL database, driven by real
/// JSON clients. What a user notices: the same messages, in the same seq order, with no gap,
/// whichever node they are on; an ack only for what is stored, and a resend stored once.
/// </summary>
public sealed class ClusterMessageTests(ITestOutputHelper output) : ClusterTest
{
    private Task<TestServer> NodeAsync() => TestServer.StartAsync(new ServerOptions
    {
        Cluster = new ClusterOptions { ConnectionString = Db.ConnectionString },
        RateBurst = 10_000,
        RatePerSecond = 0,
    }, output);

    [Fact(Timeout = 30000)]
    public async Task Users_on_two_nodes_see_each_others_messages_in_the_same_seq_order()
    {
        // Arrange
        await using var a = await NodeAsync();
        await using var b = await NodeAsync();
        await using var alice = await JsonTestClient.JoinAsync(a, "alice");
        await using var bob = await JsonTestClient.JoinAsync(b, "bob");

        // Act
        var first = await alice.SayAndWaitAsync("hello from a");
        var second = await bob.SayAndWaitAsync("hello from b");
        var third = await alice.SayAndWaitAsync("and again");

        // Assert
        Assert.Equal([1L, 2L, 3L], [first, second, third]);
        foreach (var client in new[] { alice, bob })
        {
            await client.ReceivedOrExpectAsync<MsgFrame>(m => m.Seq == 3);
            var seen = client.Received<MsgFrame>().Select(m => (m.Seq, m.From, m.Text)).ToList();
            Assert.Equal([(1L, "alice", "hello from a"), (2L, "bob", "hello from b"), (3L, "alice", "and again")], seen);
        }
    }

    [Fact(Timeout = 30000)]
    public async Task A_message_too_long_to_ride_in_a_notification_reaches_the_other_node_in_its_place()
    {
        // Arrange: short messages travel inside the notification; one of 12,000 characters cannot.
        await using var a = await NodeAsync();
        await using var b = await NodeAsync();
        await using var alice = await JsonTestClient.JoinAsync(a, "alice");
        await using var bob = await JsonTestClient.JoinAsync(b, "bob");
        var longText = string.Concat(Enumerable.Repeat("0123456789", 1_200));

        // Act: sent back to back, so they may well share one commit.
        await alice.SayAsync("before");
        await alice.SayAsync(longText);
        await alice.SayAsync("after");
        await bob.ExpectAsync<MsgFrame>(m => m.Text == "after");

        // Assert
        Assert.Equal(["before", longText, "after"], bob.Received<MsgFrame>().Select(m => m.Text));
        Assert.Equal([1L, 2L, 3L], bob.Received<MsgFrame>().Select(m => m.Seq));
    }

    [Fact(Timeout = 90000)]
    public async Task Three_senders_on_three_nodes_posting_300_each_reach_every_member_on_every_node_in_one_order()
    {
        // Arrange
        const int PerSender = 300;
        var nodes = new List<TestServer>();
        var members = new List<JsonTestClient>();
        var senders = new List<JsonTestClient>();
        try
        {
            for (var n = 0; n < 3; n++)
            {
                nodes.Add(await NodeAsync());
            }
            for (var n = 0; n < 3; n++)
            {
                members.Add(await JsonTestClient.JoinAsync(nodes[n], $"reader{n}"));
                senders.Add(await JsonTestClient.JoinAsync(nodes[n], $"sender{n}", presence: false));
            }

            // Act: all three at once, each waiting for nothing but its own acks at the end.
            await Task.WhenAll(senders.Select(async (sender, n) =>
            {
                for (var i = 0; i < PerSender; i++)
                {
                    await sender.SayAsync($"s{n} m{i}", id: $"s{n}-{i}");
                }
                for (var i = 0; i < PerSender; i++)
                {
                    await sender.ReceivedOrExpectAsync<AckFrame>(ack => ack.Id.Text == $"s{n}-{i}", TimeSpan.FromSeconds(30));
                }
            }));

            // Assert
            List<(long, string)>? order = null;
            foreach (var member in members)
            {
                await member.ReceivedOrExpectAsync<MsgFrame>(m => m.Seq == 3 * PerSender, TimeSpan.FromSeconds(30));
                var seen = member.Received<MsgFrame>().Select(m => (m.Seq, m.Text)).ToList();
                Assert.Equal(Enumerable.Range(1, 3 * PerSender).Select(i => (long)i), seen.Select(s => s.Item1));
                order ??= seen;
                Assert.Equal(order, seen);
            }
            // Each sender's own messages in the order it sent them.
            for (var n = 0; n < 3; n++)
            {
                var mine = order!.Where(s => s.Item2.StartsWith($"s{n} ", StringComparison.Ordinal)).Select(s => s.Item2);
                Assert.Equal(Enumerable.Range(0, PerSender).Select(i => $"s{n} m{i}"), mine);
            }
            Assert.Equal(3 * PerSender, await Db.ScalarAsync("SELECT count(*) FROM messages WHERE room = 'general'"));
        }
        finally
        {
            foreach (var client in members.Concat(senders))
            {
                await client.DisposeAsync();
            }
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = 30000)]
    public async Task A_resend_of_the_same_id_is_acked_with_the_original_seq_and_not_stored_twice()
    {
        // Arrange
        await using var a = await NodeAsync();
        await using var b = await NodeAsync();
        await using var reader = await JsonTestClient.JoinAsync(b, "reader");
        await using var first = await JsonTestClient.JoinAsync(a, "ci", presence: false);
        await first.SayAsync("deploy done", id: "run-7f3a-1");
        var original = await first.ExpectAsync<AckFrame>();

        // Act: the ack was "lost"; the client resends through another node.
        await using var again = await JsonTestClient.JoinAsync(b, "ci", presence: false);
        await again.SayAsync("deploy done", id: "run-7f3a-1");
        var resent = await again.ExpectAsync<AckFrame>();
        var next = await again.SayAndWaitAsync("next one");

        // Assert
        Assert.Equal(1, original.Seq);
        Assert.Equal(original.Seq, resent.Seq);
        Assert.Equal(2, next);
        Assert.Equal(1, await Db.ScalarAsync("SELECT count(*) FROM messages WHERE text = 'deploy done'"));
        await reader.ReceivedOrExpectAsync<MsgFrame>(m => m.Seq == 2);
        Assert.Equal(["deploy done", "next one"], reader.Received<MsgFrame>().Where(m => !m.History).Select(m => m.Text));
    }

    [Fact(Timeout = 30000)]
    public async Task A_user_reconnecting_to_another_node_with_since_gets_exactly_what_it_missed()
    {
        // Arrange
        await using var a = await NodeAsync();
        await using var b = await NodeAsync();
        await using var poster = await JsonTestClient.JoinAsync(a, "poster", presence: false);
        for (var i = 1; i <= 5; i++)
        {
            await poster.SayAndWaitAsync($"m{i}");
        }

        // Act
        await using var back = await JsonTestClient.ConnectAsync(b.Port);
        await back.SendAsync(new HelloFrame("returning", null, null, true, new Dictionary<string, long> { ["general"] = 2 }));
        await back.ExpectAsync<WelcomeFrame>();
        var last = await back.ExpectAsync<MsgFrame>(m => m.Seq == 5);
        await poster.SayAndWaitAsync("m6");
        await back.ExpectAsync<MsgFrame>(m => m.Seq == 6);

        // Assert
        Assert.Equal([3L, 4L, 5L, 6L], back.Received<MsgFrame>().Select(m => m.Seq));
        Assert.True(last.History);
    }

    [Fact(Timeout = 30000)]
    public async Task History_on_one_node_pages_through_what_was_posted_on_another()
    {
        // Arrange
        await using var a = await NodeAsync();
        await using var b = await NodeAsync();
        await using var poster = await JsonTestClient.JoinAsync(a, "poster", presence: false);
        for (var i = 1; i <= 10; i++)
        {
            await poster.SayAndWaitAsync($"m{i}");
        }
        await using var reader = await JsonTestClient.JoinAsync(b, "reader");
        await reader.ReceivedOrExpectAsync<MsgFrame>(m => m.Seq == 10);

        // Act
        await reader.SendAsync(new HistoryFrame("general", Before: 8, After: null, Limit: 3));
        var page = await reader.ExpectAsync<HistoryReplyFrame>();

        // Assert
        Assert.Equal([5L, 6L, 7L], page.Messages.Select(m => m.Seq));
    }
    [Fact(Timeout = 60000)]
    public async Task Nodes_that_keep_up_deliver_commits_over_many_rooms_without_reading_them_back()
    {
        // Arrange: alice on node a and bob on node b share 20 rooms; every stream read of each node is counted.
        await using var a = await NodeAsync();
        await using var b = await NodeAsync();
        var reads = new System.Collections.Concurrent.ConcurrentDictionary<object, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "sockchat.cluster.stream_reads" && (instrument.Meter.Scope == a.Metrics || instrument.Meter.Scope == b.Metrics))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => reads.AddOrUpdate(instrument.Meter.Scope!, value, (_, old) => old + value));
        listener.Start();
        await using var alice = await JsonTestClient.JoinAsync(a, "alice");
        await using var bob = await JsonTestClient.JoinAsync(b, "bob");
        var rooms = Enumerable.Range(0, 20).Select(i => $"r{i}").ToList();
        foreach (var room in rooms)
        {
            await alice.SendAsync(new JoinFrame(room, null));
            await alice.ExpectAsync<JoinedFrame>(j => j.Room == room && j.Name == "alice");
            await bob.SendAsync(new JoinFrame(room, null));
            await bob.ExpectAsync<JoinedFrame>(j => j.Room == room && j.Name == "bob");
        }
        await alice.SayAndWaitAsync("ready", "r19");
        await bob.ExpectAsync<MsgFrame>(m => m.Text == "ready");
        var before = (A: reads.GetValueOrDefault(a.Metrics), B: reads.GetValueOrDefault(b.Metrics));
        // The race a node must not pay for: node a hears of each commit of its own before its writer hands it on.
        var heard = new System.Collections.Concurrent.ConcurrentDictionary<long, TaskCompletionSource>();
        TaskCompletionSource Heard(long commit) => heard.GetOrAdd(commit, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var node = a.Server.Cluster!;
        node.Listener.OwnCommitHeard = commit => Heard(commit).TrySetResult();
        node.Writer.HandOffGate = commit => Task.WhenAny(Heard(commit).Task, Task.Delay(TimeSpan.FromSeconds(2)));

        // Act: 400 messages round the rooms as fast as alice can send them, so commits span many rooms.
        for (var n = 0; n < 400; n++)
        {
            await alice.SayAsync($"m{n}", room: rooms[n % rooms.Count]);
        }
        foreach (var last in Enumerable.Range(380, 20))
        {
            // Each room's last one (rooms are not ordered among themselves).
            await bob.ReceivedOrExpectAsync<MsgFrame>(m => m.Text == $"m{last}");
        }

        // Assert: everything arrived, each room in seq order, and neither node read anything back.
        var got = bob.Received<MsgFrame>().Where(m => m.Text.StartsWith('m')).ToList();
        Assert.Equal(Enumerable.Range(0, 400), got.Select(m => int.Parse(m.Text[1..], System.Globalization.CultureInfo.InvariantCulture)).Order());
        foreach (var room in got.GroupBy(m => m.Room))
        {
            Assert.Equal(room.Select(m => m.Seq).Order(), room.Select(m => m.Seq));
        }
        Assert.Equal(before, (reads.GetValueOrDefault(a.Metrics), reads.GetValueOrDefault(b.Metrics)));
        Assert.NotEmpty(heard);
    }
    [Fact(Timeout = 60000)]
    public async Task A_node_whose_commit_reply_is_late_goes_on_delivering_the_other_nodes_messages()
    {
        // Arrange: node a on a fake clock; its writer hands its next batch over only when the test lets it.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var a = await TestServer.StartAsync(new ServerOptions
        {
            Cluster = new ClusterOptions { ConnectionString = Db.ConnectionString },
            RateBurst = 10_000,
            RatePerSecond = 0,
        }, output, time);
        await using var b = await NodeAsync();
        await using var alice = await JsonTestClient.JoinAsync(a, "alice");
        await using var bob = await JsonTestClient.JoinAsync(b, "bob");
        await alice.ReceivedOrExpectAsync<JoinedFrame>(j => j.Name == "bob");
        // Acked means published: node a's writer has handed over everything before the hooks go in.
        await alice.SayAndWaitAsync("ready");
        var node = a.Server.Cluster!;
        var heard = new System.Collections.Concurrent.ConcurrentDictionary<long, TaskCompletionSource>();
        TaskCompletionSource Heard(long commit) => heard.GetOrAdd(commit, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var gated = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reply = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Listener.OwnCommitHeard = commit => Heard(commit).TrySetResult();
        node.Writer.HandOffGate = commit =>
        {
            gated.TrySetResult(commit);
            return reply.Task;
        };
        try
        {
            await alice.SayAsync("held back", "late-1");
            var held = await gated.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await Heard(held).Task.WaitAsync(TimeSpan.FromSeconds(10));
            await bob.SayAndWaitAsync("from b");

            // Act: the clock passes the fan-out's wait for the batch (advanced a second at a time, a bounded
            // number of times, since the fan-out starts waiting at a moment the test cannot see).
            var fromB = alice.ReceivedOrExpectAsync<MsgFrame>(m => m.Text == "from b", TimeSpan.FromSeconds(20));
            for (var step = 0; step < 20 && !fromB.IsCompleted; step++)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                await Task.WhenAny(fromB, Task.Delay(250));
            }
            await fromB;

            // Assert: alice's own message was read back in its place, before bob's; its ack waits for the batch.
            Assert.Equal(["ready", "held back", "from b"], alice.Received<MsgFrame>().Select(m => m.Text));
            Assert.DoesNotContain(alice.Received<AckFrame>(), ack => ack.Id.Text == "late-1");
            reply.TrySetResult();
            var ack = await alice.ExpectAsync<AckFrame>(ack => ack.Id.Text == "late-1");
            Assert.Equal(2L, ack.Seq);
            await bob.ReceivedOrExpectAsync<MsgFrame>(m => m.Text == "from b");
            Assert.Equal(["ready", "held back", "from b"], bob.Received<MsgFrame>().Select(m => m.Text));
        }
        finally
        {
            reply.TrySetResult();
        }
    }
}
