using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Server;

/// <summary>
/// Rooms are state a client can make the server keep (issue 9): reading never creates one, and
/// creating or joining past the server's and the connection's limits is refused with <c>too_many_rooms</c>.
/// </summary>
public sealed class RoomLimitTests(ITestOutputHelper output)
{
    [Fact(Timeout = 15000)]
    public async Task History_who_and_rooms_about_rooms_that_do_not_exist_leave_the_room_count_as_it_was()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var ci = await JsonTestClient.JoinAsync(server, "ci", presence: false);
        var before = server.Hub.RoomCount;

        // Act
        for (var i = 0; i < 100; i++)
        {
            await alice.SendAsync(new HistoryFrame($"nowhere-{i}", null, null, 10));
            await alice.SendAsync(new WhoFrame($"nobody-{i}"));
            await ci.SendAsync(new HistoryFrame($"ci-nowhere-{i}", null, 5, 10));
        }
        await alice.SendAsync(new RoomsFrame());
        await alice.SyncAsync();
        await ci.SyncAsync();

        // Assert
        Assert.Equal(before, server.Hub.RoomCount);
        Assert.Equal(100, alice.Received<HistoryReplyFrame>().Count(h => h.Messages.Count == 0));
        Assert.Equal(100, alice.Received<ErrorFrame>().Count(e => e.Code == ErrorCodes.NoSuchRoom));
        Assert.Equal(100, ci.Received<HistoryReplyFrame>().Count(h => h.Messages.Count == 0));
    }

    [Fact(Timeout = 15000)]
    public async Task Posting_to_new_rooms_past_the_server_limit_is_refused_too_many_rooms_and_creates_none()
    {
        // Arrange: general and two more.
        await using var server = await TestServer.StartAsync(new ServerOptions { MaxRooms = 3 }, output);
        await using var ci = await JsonTestClient.JoinAsync(server, "ci", presence: false);
        await ci.SayAndWaitAsync("one", room: "a");
        await ci.SayAndWaitAsync("two", room: "b");

        // Act
        await ci.SayAsync("three", id: "c1", room: "c");
        var refused = await ci.ExpectAsync<ErrorFrame>();
        var existing = await ci.SayAndWaitAsync("still fine", room: "a");

        // Assert
        Assert.Equal((ErrorCodes.TooManyRooms, "c1"), (refused.Code, refused.Id?.Text));
        Assert.Contains("3 rooms", refused.Message);
        Assert.Equal(2, existing);
        Assert.Equal(3, server.Hub.RoomCount);
    }

    [Fact(Timeout = 15000)]
    public async Task Joining_a_new_room_past_the_server_limit_is_refused_and_the_client_stays_where_it_was()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(new ServerOptions { MaxRooms = 2 }, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await alice.SendAsync(new JoinFrame("dev", null));
        await alice.ExpectAsync<JoinedFrame>(j => j.Room == "dev");

        // Act
        await alice.SendAsync(new JoinFrame("ops", null));
        var refused = await alice.ExpectAsync<ErrorFrame>();
        await alice.SayAndWaitAsync("where am I?");

        // Assert
        Assert.Equal(ErrorCodes.TooManyRooms, refused.Code);
        Assert.Equal("dev", alice.Received<MsgFrame>().Last().Room);
        Assert.Equal(2, server.Hub.RoomCount);
    }

    [Fact(Timeout = 15000)]
    public async Task A_hello_naming_a_new_room_past_the_server_limit_is_refused_before_the_welcome()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(new ServerOptions { MaxRooms = 1 }, output);
        await using var bob = await JsonTestClient.ConnectAsync(server.Port);

        // Act
        await bob.SendAsync(new HelloFrame("bob", "dev", null, true, null));
        var refused = await bob.ExpectAsync<ErrorFrame>();

        // Assert
        Assert.Equal(ErrorCodes.TooManyRooms, refused.Code);
        Assert.Empty(bob.Received<WelcomeFrame>());
        Assert.Equal((0, 1), (server.Hub.PresentCount, server.Hub.RoomCount));
    }

    [Fact(Timeout = 15000)]
    public async Task Joining_more_rooms_than_one_connection_may_be_in_is_refused_too_many_rooms()
    {
        // Arrange: general plus two.
        await using var server = await TestServer.StartAsync(new ServerOptions { MaxRoomsPerClient = 3 }, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await alice.SendAsync(new JoinFrame("a", null));
        await alice.SendAsync(new JoinFrame("b", null));
        await alice.ExpectAsync<JoinedFrame>(j => j.Room == "b");

        // Act
        await alice.SendAsync(new JoinFrame("c", null));
        var refused = await alice.ExpectAsync<ErrorFrame>();
        await alice.SendAsync(new JoinFrame("a", null));
        await alice.ExpectAsync<JoinedFrame>(j => j.Room == "a");
        await alice.SendAsync(new PartFrame("b"));
        await alice.ExpectAsync<LeftFrame>(l => l.Room == "b");
        await alice.SendAsync(new JoinFrame("c", null));
        var joined = await alice.ExpectAsync<JoinedFrame>(j => j.Room == "c");

        // Assert: refused while in three; rejoining one it is in is fine; after a part there is room again.
        Assert.Equal(ErrorCodes.TooManyRooms, refused.Code);
        Assert.Contains("3 rooms", refused.Message);
        Assert.Equal("alice", joined.Name);
    }

    [Fact(Timeout = 15000)]
    public async Task A_text_client_sees_the_refusal_as_an_error_line()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(new ServerOptions { MaxRoomsPerClient = 1 }, output);
        await using var bob = await TextTestClient.JoinAsync(server, "bob");

        // Act
        await bob.SendLineAsync("/join dev");
        var line = await bob.ExpectLineAsync(l => l.StartsWith('!'));

        // Assert
        Assert.StartsWith("! too_many_rooms: you are in 1 rooms", line);
    }
}
