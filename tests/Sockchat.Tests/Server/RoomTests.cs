using Sockchat.Protocol;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Server;

/// <summary>Rooms and names: join, part, replay, history paging, nick, who, rooms.</summary>
public sealed class RoomTests(ITestOutputHelper output)
{
    [Fact(Timeout = 15000)]
    public async Task Joining_and_parting_a_room_is_announced_to_its_members_only()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await using var carol = await JsonTestClient.JoinAsync(server, "carol");

        // Act
        await bob.SendAsync(new JoinFrame("#Dev"));
        var bobJoined = await bob.ExpectAsync<JoinedFrame>(j => j.Room == "dev");
        await alice.SendAsync(new JoinFrame("dev"));
        var aliceJoined = await bob.ExpectAsync<JoinedFrame>(j => j.Room == "dev" && j.Name == "alice");
        await bob.SendAsync(new PartFrame("dev"));

        // Assert
        Assert.Equal("bob", bobJoined.Name);
        Assert.Equal("alice", aliceJoined.Name);
        var left = await alice.ExpectAsync<LeftFrame>(l => l.Room == "dev");
        Assert.Equal("bob", left.Name);
        await carol.SyncAsync();
        Assert.DoesNotContain(carol.Frames, f => f is JoinedFrame { Room: "dev" } or LeftFrame { Room: "dev" });
    }

    [Fact(Timeout = 15000)]
    public async Task A_newcomer_gets_the_recent_messages_replayed_marked_as_history()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await alice.SayAndWaitAsync("m1");
        await alice.SayAndWaitAsync("m2");
        await alice.SayAndWaitAsync("m3");

        // Act
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");

        // Assert
        var replayed = new List<MsgFrame>();
        for (var i = 0; i < 3; i++)
        {
            replayed.Add(await bob.ExpectAsync<MsgFrame>());
        }
        Assert.Equal(["m1", "m2", "m3"], replayed.Select(m => m.Text));
        Assert.Equal([1L, 2L, 3L], replayed.Select(m => m.Seq));
        Assert.All(replayed, m => Assert.True(m.History));
        await alice.SyncAsync();
        Assert.DoesNotContain(alice.Received<MsgFrame>(), m => m.History);
    }

    [Fact(Timeout = 15000)]
    public async Task The_replay_is_limited_to_HistoryReplay_messages()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(new Sockchat.Server.ServerOptions { HistoryReplay = 2 }, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        for (var i = 1; i <= 5; i++)
        {
            await alice.SayAndWaitAsync($"m{i}");
        }

        // Act
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await bob.SyncAsync();

        // Assert
        Assert.Equal(["m4", "m5"], bob.Received<MsgFrame>().Select(m => m.Text));
    }

    [Fact(Timeout = 15000)]
    public async Task History_pages_backwards_and_forwards_by_seq()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        for (var i = 1; i <= 5; i++)
        {
            await alice.SayAndWaitAsync($"m{i}");
        }

        async Task<long[]> PageAsync(long? before, long? after, int? limit)
        {
            await alice.SendAsync(new HistoryFrame("general", before, after, limit));
            var page = await alice.ExpectAsync<HistoryReplyFrame>();
            Assert.Equal("general", page.Room);
            Assert.All(page.Messages, m => Assert.True(m.History));
            return page.Messages.Select(m => m.Seq).ToArray();
        }

        // Act
        var latest = await PageAsync(null, null, 2);
        var beforeFour = await PageAsync(4, null, 2);
        var beforeTwo = await PageAsync(2, null, 2);
        var beforeOne = await PageAsync(1, null, 2);
        var afterTwo = await PageAsync(null, 2, 2);
        var all = await PageAsync(null, null, null);

        // Assert
        Assert.Equal([4L, 5L], latest);
        Assert.Equal([2L, 3L], beforeFour);
        Assert.Equal([1L], beforeTwo);
        Assert.Empty(beforeOne);
        Assert.Equal([3L, 4L], afterTwo);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], all);
    }

    [Fact(Timeout = 15000)]
    public async Task A_nick_change_is_announced_to_those_who_share_a_room_only()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await using var carol = await JsonTestClient.JoinAsync(server, "carol", room: "elsewhere");

        // Act
        await bob.SendAsync(new NickFrame("robert"));

        // Assert
        var seenByAlice = await alice.ExpectAsync<NickChangedFrame>();
        var seenByBob = await bob.ExpectAsync<NickChangedFrame>();
        Assert.Equal(("bob", "robert"), (seenByAlice.Old, seenByAlice.New));
        Assert.Equal(("bob", "robert"), (seenByBob.Old, seenByBob.New));
        await carol.SyncAsync();
        Assert.Empty(carol.Received<NickChangedFrame>());
        await bob.SayAsync("new name");
        Assert.Equal("robert", (await alice.ExpectAsync<MsgFrame>(m => m.Text == "new name")).From);
    }

    [Fact(Timeout = 15000)]
    public async Task Taking_a_nick_that_is_in_use_in_another_case_is_refused_name_taken()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");

        // Act
        await bob.SendAsync(new NickFrame("ALICE"));

        // Assert
        var error = await bob.ExpectAsync<ErrorFrame>();
        Assert.Equal(ErrorCodes.NameTaken, error.Code);
        await alice.SyncAsync();
        Assert.Empty(alice.Received<NickChangedFrame>());
    }

    [Fact(Timeout = 15000)]
    public async Task A_hello_with_a_name_in_use_in_another_case_is_refused_name_taken_and_closed()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var impostor = await JsonTestClient.ConnectAsync(server.Port);

        // Act
        await impostor.SendAsync(new HelloFrame("Alice", null, null, true, null));

        // Assert
        var error = await impostor.ExpectAsync<ErrorFrame>();
        Assert.Equal(ErrorCodes.NameTaken, error.Code);
        await impostor.ExpectClosedAsync();
    }

    [Fact(Timeout = 15000)]
    public async Task Who_lists_the_members_of_the_room_sorted_without_regard_to_case()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var carol = await JsonTestClient.JoinAsync(server, "carol");
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "Bob");

        // Act
        await carol.SendAsync(new WhoFrame(null));

        // Assert
        var who = await carol.ExpectAsync<WhoReplyFrame>();
        Assert.Equal("general", who.Room);
        Assert.Equal(["alice", "Bob", "carol"], who.Names);
    }

    [Fact(Timeout = 15000)]
    public async Task Who_for_a_room_that_does_not_exist_is_answered_no_such_room()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");

        // Act
        await alice.SendAsync(new WhoFrame("nowhere"));

        // Assert
        Assert.Equal(ErrorCodes.NoSuchRoom, (await alice.ExpectAsync<ErrorFrame>()).Code);
    }

    [Fact(Timeout = 15000)]
    public async Task Rooms_lists_each_room_with_its_member_count()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await bob.SendAsync(new JoinFrame("dev"));
        await bob.ExpectAsync<JoinedFrame>(j => j.Room == "dev");

        // Act
        await alice.SendAsync(new RoomsFrame());

        // Assert
        var rooms = await alice.ExpectAsync<RoomsReplyFrame>();
        Assert.Equal([new RoomInfo("dev", 1), new RoomInfo("general", 2)], rooms.Rooms);
    }

    [Fact(Timeout = 15000)]
    public async Task Saying_in_a_room_one_has_not_joined_is_answered_not_in_room()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");

        // Act
        await alice.SayAsync("hello?", id: "s1", room: "dev");

        // Assert
        var error = await alice.ExpectAsync<ErrorFrame>();
        Assert.Equal((ErrorCodes.NotInRoom, "s1"), (error.Code, error.Id?.Text));
    }
}
