using System.Diagnostics;
using System.Text.Json;
using Sockchat.E2E.Infrastructure;
using Sockchat.Testing;
using Xunit.Abstractions;
using static Sockchat.E2E.Cluster.ClusterNode;

namespace Sockchat.E2E.Cluster;

/// <summary>
/// Issue 11's cluster tests against real <c>sockchat serve --cluster</c> processes sharing a real
/// PostgreSQL: each test gets a fresh database on the run's server (or, for the outage, a private
/// server it stops), starts its nodes and JSON clients through a <see cref="Sandbox"/> (which kills
/// them all, also on failure) and waits only for observable frames, with bounds.
/// </summary>
public sealed class ClusterTests(ITestOutputHelper output, PostgresDatabase db) : IClassFixture<InstalledTool>, IClassFixture<PostgresDatabase>
{
    private static readonly TimeSpan Load = TimeSpan.FromSeconds(45);

    [Fact(Timeout = Timeouts.Test)]
    public async Task Two_nodes_share_messages_in_one_seq_order_dms_who_and_names()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var database = await db.CreateDatabaseAsync();
        var a = await StartAsync(sandbox, database);
        var b = await StartAsync(sandbox, database);
        var alice = await HelloAsync(sandbox, a.Port, "alice");
        var bob = await HelloAsync(sandbox, b.Port, "bob");

        // Act
        await alice.SendLineAsync(Say("one from a", "a1"));
        await bob.SendLineAsync(Say("two from b", "b1"));
        await alice.SendLineAsync(Say("three from a", "a2"));
        await bob.SendLineAsync(Say("four from b", "b2"));
        await WaitForLiveMessagesAsync(alice, 4, Timeouts.Line);
        await WaitForLiveMessagesAsync(bob, 4, Timeouts.Line);
        await alice.SendLineAsync("""{"type":"dm","to":"bob","text":"psst across nodes"}""");
        var dm = await bob.WaitForFrameAsync("dm");
        await alice.SendLineAsync("""{"type":"who"}""");
        var whoOnA = await alice.WaitForFrameAsync("who");
        await bob.SendLineAsync("""{"type":"who"}""");
        var whoOnB = await bob.WaitForFrameAsync("who");
        var impostor = await RawClient.ConnectAsync(sandbox, b.Port, "impostor");
        await impostor.SendLineAsync("""{"type":"hello","name":"alice"}""");
        var refused = await impostor.WaitForFrameAsync("error");

        // Assert
        var seenByAlice = LiveMessages(alice);
        var seenByBob = LiveMessages(bob);
        Assert.Equal(seenByAlice, seenByBob);
        Assert.Equal(["four from b", "one from a", "three from a", "two from b"], seenByAlice.Select(m => m.Text).Order(StringComparer.Ordinal));
        Assert.True(seenByAlice.FindIndex(m => m.Text == "one from a") < seenByAlice.FindIndex(m => m.Text == "three from a"));
        Assert.True(seenByAlice.FindIndex(m => m.Text == "two from b") < seenByAlice.FindIndex(m => m.Text == "four from b"));
        AssertStrictlyIncreasing(seenByAlice);
        Assert.Equal(seenByAlice.Single(m => m.Text == "one from a").Seq, Acks(alice)["a1"]);
        Assert.Equal(seenByAlice.Single(m => m.Text == "two from b").Seq, Acks(bob)["b1"]);
        Assert.Equal("alice", dm.GetProperty("from").GetString());
        Assert.Equal("psst across nodes", dm.GetProperty("text").GetString());
        Assert.Equal(["alice", "bob"], Names(whoOnA));
        Assert.Equal(["alice", "bob"], Names(whoOnB));
        Assert.Equal("name_taken", refused.GetProperty("code").GetString());
    }

    [Fact(Timeout = 90_000)]
    public async Task Three_senders_on_three_nodes_posting_300_each_reach_every_member_on_every_node_in_one_gapless_order()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var database = await db.CreateDatabaseAsync();
        var nodes = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => StartAsync(sandbox, database)));
        var members = new List<RawClient>();
        var senders = new List<RawClient>();
        for (var i = 0; i < 3; i++)
        {
            members.Add(await HelloAsync(sandbox, nodes[i].Port, $"member{i}"));
            senders.Add(await HelloAsync(sandbox, nodes[i].Port, $"sender{i}"));
        }

        // Act
        await Task.WhenAll(senders.Select((sender, i) => sender.SendLineAsync(string.Join('\n', Enumerable.Range(0, 300).Select(n => Say($"s{i}-{n}", $"s{i}-{n}"))))));
        await Task.WhenAll(senders.Select(sender => WaitForCountAsync(sender, f => IsType(f, "ack"), 300, "300 acks", Load)));
        await Task.WhenAll(members.Select(member => WaitForLiveMessagesAsync(member, 900, Load)));

        // Assert
        var expected = Enumerable.Range(0, 3).SelectMany(i => Enumerable.Range(0, 300).Select(n => $"s{i}-{n}")).Order().ToList();
        var reference = LiveMessages(members[0]);
        Assert.Equal(900, reference.Count);
        Assert.Equal(expected, reference.Select(m => m.Text).Order());
        AssertGapless(reference);
        foreach (var member in members.Skip(1))
        {
            Assert.Equal(reference, LiveMessages(member));
        }
        for (var i = 0; i < 3; i++)
        {
            // Each sender's messages keep its own order, and its acks name the seqs everyone saw.
            var bySeq = reference.ToDictionary(m => m.Text, m => m.Seq);
            var acks = Acks(senders[i]);
            Assert.Equal(300, acks.Count);
            Assert.All(acks, ack => Assert.Equal(bySeq[ack.Key], ack.Value));
            var own = reference.Where(m => m.Text.StartsWith($"s{i}-", StringComparison.Ordinal)).Select(m => m.Text).ToList();
            Assert.Equal(Enumerable.Range(0, 300).Select(n => $"s{i}-{n}"), own);
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task A_node_killed_during_the_load_loses_no_acked_message_and_its_member_recovers_exactly_what_it_missed_elsewhere()
    {
        // Arrange
        const int lease = 3;
        await using var sandbox = new Sandbox(output);
        var database = await db.CreateDatabaseAsync();
        var nodes = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => StartAsync(sandbox, database, "--cluster-lease", $"{lease}")));
        var members = new List<RawClient>();
        var senders = new List<RawClient>();
        for (var i = 0; i < 3; i++)
        {
            members.Add(await HelloAsync(sandbox, nodes[i].Port, $"member{i}"));
            senders.Add(await HelloAsync(sandbox, nodes[i].Port, $"sender{i}"));
        }
        var victim = nodes[2];

        // Act
        // Each sender posts in rounds of 10, the next once the last is acked. All three stop halfway
        // (150 acked each), the node dies, and the load goes on: the survivors' second halves are
        // what the victim's member misses; the victim's sender stops at the first failure (its
        // connection died with the node). Whatever the machine's speed, the kill lands mid-load.
        var halfway = senders.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToList();
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sending = senders.Select((sender, i) => SendInRoundsAsync(sender, i, stopOnClose: i == 2, (halfway[i], resume.Task))).ToList();
        await Task.WhenAll(halfway.Select(h => h.Task)).WaitAsync(Load);
        Assert.True(victim.Process.Signal(SigKill), "the victim node had already exited");
        var killedAt = Stopwatch.StartNew();
        await victim.Process.WaitForExitAsync();
        resume.SetResult();
        await Task.WhenAll(sending);
        await Task.WhenAll(members.Take(2).Select(member => member.WaitForFrameAsync("left", f => f.GetProperty("name").GetString() == "member2"
            || (f.TryGetProperty("names", out var names) && names.EnumerateArray().Any(n => n.GetString() == "member2")))));
        var leftAfter = killedAt.Elapsed;
        var leftFrames = members.Take(2).Select(member => Frames(member, "left").First(f => f.GetProperty("name").GetString() == "member2"
            || (f.TryGetProperty("names", out var names) && names.EnumerateArray().Any(n => n.GetString() == "member2")))).ToList();
        var orphan = members[2];
        await orphan.WaitForCloseAsync();
        var seenBeforeKill = LiveMessages(orphan);
        var lastSeen = seenBeforeKill.Count == 0 ? 0 : seenBeforeKill[^1].Seq;
        var back = await HelloAsync(sandbox, nodes[0].Port, "member2", since: lastSeen);
        var reader = await HelloAsync(sandbox, nodes[1].Port, "reader");
        var history = await ReadHistoryAsync(reader, Load);
        var missed = history.Where(m => m.Seq > lastSeen).ToList();
        await WaitForCountAsync(back, f => IsType(f, "msg") && f.TryGetProperty("history", out var h) && h.ValueKind == JsonValueKind.True, missed.Count, $"{missed.Count} replayed msgs", Load);
        // A pong comes after everything the hello's replay sent: nothing more is on its way.
        await back.SendLineAsync("""{"type":"ping","id":"sync"}""");
        await back.WaitForFrameAsync("pong");
        output.WriteLine($"kill after {seenBeforeKill.Count} msgs on the victim's member (last seq {lastSeen}); left seen {leftAfter.TotalSeconds:0.0} s after the kill; history holds {history.Count}; the victim's sender had {Acks(senders[2]).Count} acks");

        // Assert
        Assert.Equal(history.Count, history.Select(m => m.Text).Distinct().Count());
        AssertGapless(history);
        var stored = history.ToDictionary(m => m.Text, m => m.Seq);
        foreach (var sender in senders)
        {
            foreach (var (id, seq) in Acks(sender))
            {
                Assert.True(stored.TryGetValue(id, out var storedSeq), $"acked {id} (seq {seq}) is not in history");
                Assert.Equal(seq, storedSeq);
            }
        }
        Assert.Equal(600, senders.Take(2).Sum(s => Acks(s).Count));
        Assert.Equal(150, Acks(senders[2]).Count);
        // The kill came during the load: the victim's member missed messages that the reconnect must bring.
        Assert.NotEmpty(missed);
        Assert.Equal(history.Where(m => m.Seq <= lastSeen), seenBeforeKill);
        Assert.Equal(missed, ReplayedMessages(back));
        Assert.All(leftFrames, f => Assert.Equal("disconnected", f.GetProperty("reason").GetString()));
        Assert.True(leftAfter < TimeSpan.FromSeconds(2 * lease + 2), $"left came {leftAfter.TotalSeconds:0.0} s after the kill, lease {lease} s");
    }

    [Fact(Timeout = 120_000)]
    public async Task Postgresql_stopped_and_started_again_fails_says_meanwhile_turns_healthz_503_and_the_nodes_recover_without_loss_or_duplicate()
    {
        // Arrange
        await using var postgres = await PostgresInstance.StartAsync();
        var database = await postgres.CreateDatabaseAsync();
        await using var sandbox = new Sandbox(output);
        var a = await StartAsync(sandbox, database);
        var b = await StartAsync(sandbox, database);
        var alice = await HelloAsync(sandbox, a.Port, "alice");
        var bob = await HelloAsync(sandbox, b.Port, "bob");
        for (var n = 0; n < 5; n++)
        {
            await alice.SendLineAsync(Say($"before-{n}", $"before-{n}"));
        }
        await WaitForCountAsync(alice, f => IsType(f, "ack"), 5, "5 acks", Timeouts.Line);
        await WaitForHealthAsync(a.WebUrl!, 200, Timeouts.Line);

        // Act
        await postgres.StopAsync();
        var outage = Stopwatch.StartNew();
        var duringSay = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{a.Port}", "during the outage"]);
        await alice.SendLineAsync(Say("during-json", "during-json"));
        var duringError = await alice.WaitForFrameAsync("error", f => f.TryGetProperty("id", out var id) && id.GetString() == "during-json");
        await WaitForHealthAsync(a.WebUrl!, 503, Timeouts.Line);
        await WaitForHealthAsync(b.WebUrl!, 503, Timeouts.Line);
        // PostgreSQL stays down a few seconds: the nodes keep refusing, and stay up, meanwhile.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(503, await HealthAsync(a.WebUrl!));
        Assert.Equal(503, await HealthAsync(b.WebUrl!));
        Assert.False(a.Process.HasExited || b.Process.HasExited, "a node exited during the outage");
        output.WriteLine($"PostgreSQL down for {outage.Elapsed.TotalSeconds:0.0} s before the restart");
        await postgres.StartAgainAsync();
        await WaitForHealthAsync(a.WebUrl!, 200, TimeSpan.FromSeconds(30));
        await WaitForHealthAsync(b.WebUrl!, 200, TimeSpan.FromSeconds(30));
        for (var n = 0; n < 5; n++)
        {
            await alice.SendLineAsync(Say($"after-{n}", $"after-{n}"));
        }
        await WaitForCountAsync(alice, f => IsType(f, "ack"), 10, "10 acks", TimeSpan.FromSeconds(30));
        await bob.WaitForFrameAsync("msg", f => f.GetProperty("text").GetString() == "after-4");
        var history = await ReadHistoryAsync(bob, Timeouts.Line);

        // Assert
        Assert.NotEqual(0, duringSay.ExitCode);
        Assert.Equal("server_error", duringError.GetProperty("code").GetString());
        var acks = Acks(alice);
        Assert.Equal(10, acks.Count);
        Assert.DoesNotContain("during-json", acks.Keys);
        var texts = history.Select(m => m.Text).ToList();
        Assert.Equal(texts.Count, texts.Distinct().Count());
        foreach (var (id, seq) in acks)
        {
            Assert.Equal(seq, history.Single(m => m.Text == id).Seq);
        }
        var bobSaw = LiveMessages(bob).Select(m => m.Text).ToList();
        Assert.Equal(bobSaw.Count, bobSaw.Distinct().Count());
        Assert.Equal(acks.Keys.Order(), bobSaw.Where(acks.ContainsKey).Order());
        AssertStrictlyIncreasing(LiveMessages(bob));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Two_nodes_starting_at_the_same_moment_on_a_fresh_database_both_migrate_and_work()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var database = await db.CreateDatabaseAsync();

        // Act
        var nodes = await Task.WhenAll(StartAsync(sandbox, database), StartAsync(sandbox, database));
        var alice = await HelloAsync(sandbox, nodes[0].Port, "alice");
        var bob = await HelloAsync(sandbox, nodes[1].Port, "bob");
        await alice.SendLineAsync(Say("hello from a", "a1"));
        await bob.SendLineAsync(Say("hello from b", "b1"));

        // Assert
        await bob.WaitForFrameAsync("msg", f => f.GetProperty("text").GetString() == "hello from a");
        await alice.WaitForFrameAsync("msg", f => f.GetProperty("text").GetString() == "hello from b");
        Assert.All(nodes, node => Assert.False(node.Process.HasExited));
    }

    /// <summary>Sender <paramref name="i"/>'s 300 messages <c>s{i}-{n}</c> (text = id), 10 at a time, each round waiting for its acks.</summary>
    /// <summary>300 messages in rounds of 10, each round once the last is acked; with <paramref name="pause"/>, it says when 150 are acked and waits to go on.</summary>
    private static async Task SendInRoundsAsync(RawClient sender, int i, bool stopOnClose, (TaskCompletionSource Reached, Task Resume)? pause = null)
    {
        for (var round = 0; round < 30; round++)
        {
            if (round == 15 && pause is { } halfway)
            {
                halfway.Reached.SetResult();
                await halfway.Resume;
            }
            try
            {
                await sender.SendLineAsync(string.Join('\n', Enumerable.Range(round * 10, 10).Select(n => Say($"s{i}-{n}", $"s{i}-{n}"))));
                await WaitForCountAsync(sender, f => IsType(f, "ack"), (round + 1) * 10, $"{(round + 1) * 10} acks", Load);
            }
            catch (Exception) when (stopOnClose)
            {
                return;
            }
        }
    }

    private static string[] Names(JsonElement who) => [.. who.GetProperty("names").EnumerateArray().Select(n => n.GetString()!)];

    private static void AssertStrictlyIncreasing(IReadOnlyList<Message> messages)
    {
        for (var i = 1; i < messages.Count; i++)
        {
            Assert.True(messages[i].Seq > messages[i - 1].Seq, $"seq {messages[i].Seq} after {messages[i - 1].Seq} at {i}");
        }
    }

    private static void AssertGapless(IReadOnlyList<Message> messages)
    {
        for (var i = 1; i < messages.Count; i++)
        {
            Assert.True(messages[i].Seq == messages[i - 1].Seq + 1, $"seq {messages[i].Seq} after {messages[i - 1].Seq} at {i} ({messages[i].Text})");
        }
    }
}
