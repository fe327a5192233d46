using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Server.Cluster;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Cluster;

/// <summary>
/// Issue 11, names, presence, notices and DMs across nodes: two cluster nodes in this process
/// sharing one fresh PostgreSQL database, driven by real JSON clients.
/// </summary>
public sealed class ClusterPresenceTests(ITestOutputHelper output) : ClusterTest
{
    private Task<TestServer> NodeAsync() => TestServer.StartAsync(new ServerOptions
    {
        Cluster = new ClusterOptions { ConnectionString = Db.ConnectionString },
    }, output);

    [Fact(Timeout = 30000)]
    public async Task Joins_from_another_node_into_a_busy_room_are_batched_and_a_joiners_first_message_comes_after_its_joined()
    {
        // Arrange: node b batches presence from 2 members on, on a clock the test moves; node a does not batch.
        var interval = TimeSpan.FromSeconds(1);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var a = await NodeAsync();
        await using var b = await TestServer.StartAsync(new ServerOptions
        {
            Cluster = new ClusterOptions { ConnectionString = Db.ConnectionString },
            PresenceBatchMembers = 2,
            PresenceBatchInterval = interval,
        }, output, time);
        await using var bob = await JsonTestClient.JoinAsync(b, "bob");
        await using var carol = await JsonTestClient.JoinAsync(b, "carol");
        await using var zed = await JsonTestClient.JoinAsync(a, "zed");
        await zed.SayAndWaitAsync("pacer");
        await bob.ExpectAsync<MsgFrame>(m => m.Text == "pacer");
        // Whatever the setup left in node b's batch (carol's and zed's joins, unless zed's first words
        // flushed it) goes out now, so that the batch below is the three joiners' alone.
        time.Advance(interval);
        await bob.ReceivedOrExpectAsync<JoinedFrame>(j => j.Name == "zed" || (j.Names?.Contains("zed") ?? false));

        // Act 1: three join on node a; a message after them shows node b has had their events.
        var joiners = new List<JsonTestClient>();
        try
        {
            foreach (var name in new[] { "u1", "u2", "u3" })
            {
                joiners.Add(await JsonTestClient.JoinAsync(a, name));
            }
            await zed.SayAndWaitAsync("after the joins");
            await bob.ExpectAsync<MsgFrame>(m => m.Text == "after the joins");
            var beforeFlush = bob.Received<JoinedFrame>().Where(j => j.Name.StartsWith('u')).ToList();
            time.Advance(interval);
            var batch = await bob.ExpectAsync<JoinedFrame>(j => j.Name.StartsWith('u'));

            // Act 2: a fourth joins and speaks at once.
            joiners.Add(await JsonTestClient.JoinAsync(a, "u4"));
            await joiners[^1].SayAsync("first words");
            await bob.ExpectAsync<MsgFrame>(m => m.Text == "first words");

            // Assert: nothing before the flush, then one frame for three; u4's joined before its message without any flush timer.
            Assert.Empty(beforeFlush);
            Assert.Equal(["u1", "u2", "u3"], batch.Names);
            var frames = bob.Frames.ToList();
            var joinedAt = frames.FindIndex(f => f is JoinedFrame j && j.Name == "u4");
            var saidAt = frames.FindIndex(f => f is MsgFrame { Text: "first words" });
            Assert.InRange(joinedAt, 0, saidAt - 1);
        }
        finally
        {
            foreach (var joiner in joiners)
            {
                await joiner.DisposeAsync();
            }
        }
    }

    private static async Task<ErrorFrame> RefusedAsync(TestServer node, string name, bool presence)
    {
        await using var client = await JsonTestClient.ConnectAsync(node.Port);
        await client.SendAsync(new HelloFrame(name, null, null, presence, null));
        return await client.ExpectAsync<ErrorFrame>();
    }

    [Fact(Timeout = 30000)]
    public async Task A_name_held_on_node_a_is_refused_on_node_b_also_in_another_case_and_for_posting_only()
    {
        // Arrange
        await using var a = await NodeAsync();
        await using var b = await NodeAsync();
        await using var alice = await JsonTestClient.JoinAsync(a, "alice");

        // Act
        var present = await RefusedAsync(b, "ALICE", presence: true);
        var postingOnly = await RefusedAsync(b, "alice", presence: false);

        // Assert
        Assert.Equal(ErrorCodes.NameTaken, present.Code);
        Assert.Equal(ErrorCodes.NameTaken, postingOnly.Code);
    }

    [Fact(Timeout = 30000)]
    public async Task Posting_only_connections_on_two_nodes_share_a_name_that_no_present_user_holds()
    {
        // Arrange
        await using var a = await NodeAsync();
        await using var b = await NodeAsync();
        await using var reader = await JsonTestClient.JoinAsync(a, "reader");

        // Act
        await using var ciA = await JsonTestClient.JoinAsync(a, "ci", presence: false);
        await using var ciB = await JsonTestClient.JoinAsync(b, "ci", presence: false);
        await ciA.SayAndWaitAsync("from a");
        await ciB.SayAndWaitAsync("from b");

        // Assert
        await reader.ReceivedOrExpectAsync<MsgFrame>(m => m.Seq == 2);
        Assert.Equal(["from a", "from b"], reader.Received<MsgFrame>().Select(m => m.Text));
        Assert.DoesNotContain(reader.Received<JoinedFrame>(), j => j.Name == "ci");
    }

    [Fact(Timeout = 30000)]
    public async Task A_name_is_free_on_another_node_once_its_user_left()
    {
        // Arrange
        await using var a = await NodeAsync();
        await using var b = await NodeAsync();
        await using var watcher = await JsonTestClient.JoinAsync(b, "watcher");
        var alice = await JsonTestClient.JoinAsync(a, "alice");
        await watcher.ReceivedOrExpectAsync<JoinedFrame>(j => j.Name == "alice");

        // Act
        await alice.SendAsync(new QuitFrame("bye"));
        await watcher.ExpectAsync<LeftFrame>(l => l.Name == "alice");
        await alice.DisposeAsync();
        await using var again = await JsonTestClient.JoinAsync(b, "alice");

        // Assert
        Assert.Equal("alice", again.Welcome!.Name);
    }

    [Fact(Timeout = 30000)]
    public async Task Who_and_rooms_on_either_node_list_the_users_of_both()
    {
        // Arrange
        await using var a = await NodeAsync();
        await using var b = await NodeAsync();
        await using var alice = await JsonTestClient.JoinAsync(a, "alice");
        await using var bob = await JsonTestClient.JoinAsync(b, "bob");
        await using var carol = await JsonTestClient.JoinAsync(b, "carol", room: "dev");
        await alice.ReceivedOrExpectAsync<JoinedFrame>(j => j.Name == "bob");
        // Acked means stored, and carol's join was queued before it: her presence is in the database.
        await carol.SayAndWaitAsync("hi dev", room: "dev");

        // Act
        await alice.SendAsync(new WhoFrame(null));
        var fromA = await alice.ExpectAsync<WhoReplyFrame>();
        await bob.SendAsync(new WhoFrame("general"));
        var fromB = await bob.ExpectAsync<WhoReplyFrame>();
        await alice.SendAsync(new RoomsFrame());
        var rooms = await alice.ExpectAsync<RoomsReplyFrame>();

        // Assert
        Assert.Equal(["alice", "bob"], fromA.Names);
        Assert.Equal(["alice", "bob"], fromB.Names);
        Assert.Equal([new RoomInfo("dev", 1), new RoomInfo("general", 2)], rooms.Rooms);
    }

    [Fact(Timeout = 30000)]
    public async Task A_dm_of_any_length_reaches_a_user_on_another_node_and_an_unknown_name_is_no_such_user()
    {
        // Arrange
        await using var a = await NodeAsync();
        await using var b = await NodeAsync();
        await using var alice = await JsonTestClient.JoinAsync(a, "alice");
        await using var bob = await JsonTestClient.JoinAsync(b, "bob");

        // Act
        await alice.SendAsync(new DmFrame("Bob", "psst", FrameId.FromString("d1")));
        var received = await bob.ExpectAsync<DmMessageFrame>();
        var echo = await alice.ExpectAsync<DmMessageFrame>();
        await alice.ExpectAsync<AckFrame>(ack => ack.Id.Text == "d1");
        await alice.SendAsync(new DmFrame("nobody", "hello?", FrameId.FromString("d2")));
        var refused = await alice.ExpectAsync<ErrorFrame>();
        // One too long to ride in a notification is read from PostgreSQL by bob's node.
        var longText = string.Concat(Enumerable.Repeat("0123456789", 1_200));
        await alice.SendAsync(new DmFrame("bob", longText, FrameId.FromString("d3")));
        await alice.ExpectAsync<AckFrame>(ack => ack.Id.Text == "d3");
        var longDm = await bob.ExpectAsync<DmMessageFrame>();

        // Assert
        Assert.Equal(("alice", "bob", "psst"), (received.From, received.To, received.Text));
        Assert.Equal(longText, longDm.Text);
        Assert.Equal(received.Text, echo.Text);
        Assert.Equal(ErrorCodes.NoSuchUser, refused.Code);
        Assert.Equal(0, await Db.ScalarAsync("SELECT count(*) FROM messages"));
    }

    [Fact(Timeout = 30000)]
    public async Task Joined_and_left_cross_nodes_and_left_comes_after_the_leavers_last_message()
    {
        // Arrange
        await using var a = await NodeAsync();
        await using var b = await NodeAsync();
        await using var bob = await JsonTestClient.JoinAsync(b, "bob");
        var alice = await JsonTestClient.JoinAsync(a, "alice");

        // Act: say, then quit at once, without waiting for the acks.
        await alice.SayAsync("one");
        await alice.SayAsync("two");
        await alice.SendAsync(new QuitFrame("done"));
        var left = await bob.ExpectAsync<LeftFrame>(l => l.Name == "alice");
        await alice.DisposeAsync();

        // Assert
        var seen = bob.Frames.Where(f => f is MsgFrame or JoinedFrame { Name: "alice" } or LeftFrame).ToList();
        Assert.Collection(seen,
            f => Assert.Equal("alice", Assert.IsType<JoinedFrame>(f).Name),
            f => Assert.Equal("one", Assert.IsType<MsgFrame>(f).Text),
            f => Assert.Equal("two", Assert.IsType<MsgFrame>(f).Text),
            f => Assert.Equal("quit", Assert.IsType<LeftFrame>(f).Reason));
    }

    [Fact(Timeout = 30000)]
    public async Task A_nick_change_on_one_node_is_seen_on_the_other_and_claims_the_name_everywhere()
    {
        // Arrange
        await using var a = await NodeAsync();
        await using var b = await NodeAsync();
        await using var alice = await JsonTestClient.JoinAsync(a, "alice");
        await using var bob = await JsonTestClient.JoinAsync(b, "bob");
        await alice.ReceivedOrExpectAsync<JoinedFrame>(j => j.Name == "bob");

        // Bob is in dev before alice asks, so her join is news to him (a member hears it; a later joiner would not).
        await bob.SendAsync(new JoinFrame("dev"));
        await bob.ExpectAsync<JoinedFrame>(j => j.Name == "bob" && j.Room == "dev");
        await alice.SendAsync(new JoinFrame("dev"));
        await bob.ExpectAsync<JoinedFrame>(j => j.Name == "alice" && j.Room == "dev");

        // Act
        await alice.SayAsync("before");
        await alice.SendAsync(new NickFrame("al"));
        var renamed = await bob.ExpectAsync<NickChangedFrame>();
        // A message after the rename in the second shared room: both rooms' events are behind bob now.
        await alice.SayAsync("after", room: "dev");
        await bob.ExpectAsync<MsgFrame>(m => m.Text == "after");
        var taken = await RefusedAsync(b, "AL", presence: true);
        await using var newAlice = await JsonTestClient.JoinAsync(b, "alice");
        await bob.SendAsync(new WhoFrame("general"));
        var who = await bob.ExpectAsync<WhoReplyFrame>();

        // Assert
        Assert.Equal(("alice", "al"), (renamed.Old, renamed.New));
        Assert.Equal(["before", "after"], bob.Received<MsgFrame>().Select(m => m.Text));
        Assert.Single(bob.Received<NickChangedFrame>());
        Assert.Equal(ErrorCodes.NameTaken, taken.Code);
        Assert.Equal(["al", "alice", "bob"], who.Names);
        // Its own user is told once too, however many rooms it is in.
        await alice.ReceivedOrExpectAsync<NickChangedFrame>(_ => true);
        await alice.SyncAsync();
        Assert.Single(alice.Received<NickChangedFrame>());
    }
}
