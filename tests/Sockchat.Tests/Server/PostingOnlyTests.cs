using Sockchat.Protocol;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Server;

/// <summary>Posting-only connections (hello with presence:false), which is what <c>say</c> uses.</summary>
public sealed class PostingOnlyTests(ITestOutputHelper output)
{
    [Fact(Timeout = 15000)]
    public async Task A_posting_only_client_is_not_announced_and_receives_no_room_traffic_but_may_post()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");

        // Act
        await using var ci = await JsonTestClient.JoinAsync(server, "ci", presence: false);
        await alice.SayAndWaitAsync("anyone there?");
        var seq = await ci.SayAndWaitAsync("build passed");

        // Assert
        Assert.Empty(ci.Welcome!.Rooms);
        var posted = await alice.ExpectAsync<MsgFrame>(m => m.From == "ci");
        Assert.Equal(("general", "build passed", seq), (posted.Room, posted.Text, posted.Seq));
        Assert.DoesNotContain(alice.Frames, f => f is JoinedFrame { Name: "ci" });
        await ci.SyncAsync();
        Assert.Empty(ci.Received<MsgFrame>());
        Assert.Empty(ci.Received<JoinedFrame>());
    }

    [Fact(Timeout = 15000)]
    public async Task Two_posting_only_clients_may_share_a_name()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var first = await JsonTestClient.JoinAsync(server, "ci", presence: false);

        // Act
        await using var second = await JsonTestClient.JoinAsync(server, "ci", presence: false);
        await first.SayAndWaitAsync("job 1");
        await second.SayAndWaitAsync("job 2");

        // Assert
        Assert.Equal("ci", second.Welcome?.Name);
        await alice.ExpectAsync<MsgFrame>(m => m.Text == "job 1");
        await alice.ExpectAsync<MsgFrame>(m => m.Text == "job 2");
    }

    [Fact(Timeout = 15000)]
    public async Task A_posting_only_client_may_not_use_the_name_of_a_present_user()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var impostor = await JsonTestClient.ConnectAsync(server.Port);

        // Act
        await impostor.SendAsync(new HelloFrame("ALICE", null, null, false, null));

        // Assert
        Assert.Equal(ErrorCodes.NameTaken, (await impostor.ExpectAsync<ErrorFrame>()).Code);
    }

    [Fact(Timeout = 15000)]
    public async Task A_posting_only_client_leaving_is_not_announced()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using (var ci = await JsonTestClient.JoinAsync(server, "ci", presence: false))
        {
            await ci.SayAndWaitAsync("bye");
            await ci.SendAsync(new QuitFrame(null));
            await ci.ExpectClosedAsync();
        }

        // Act
        await alice.SyncAsync();

        // Assert
        Assert.Empty(alice.Received<LeftFrame>());
    }

    [Theory(Timeout = 15000)]
    [InlineData(null)]
    [InlineData("general")]
    public async Task A_posting_only_client_that_parts_is_refused_and_announces_nothing(string? room)
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var ci = await JsonTestClient.JoinAsync(server, "ci", presence: false);

        // Act
        await ci.SendAsync(new PartFrame(room));
        var refusal = await ci.ExpectAsync<ErrorFrame>();
        await ci.SendAsync(new NickFrame("admin"));
        await ci.SyncAsync();
        await alice.SyncAsync();

        // Assert
        Assert.Equal(ErrorCodes.BadFrame, refusal.Code);
        Assert.Empty(alice.Received<LeftFrame>());
        Assert.Empty(alice.Received<NickChangedFrame>());
        Assert.Empty(ci.Received<LeftFrame>());
    }
}
