using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Server.Cluster;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Cluster;

/// <summary>Issue 11: retention in cluster mode, run by one node at a time.</summary>
public sealed class ClusterRetentionTests(ITestOutputHelper output) : ClusterTest
{
    [Fact(Timeout = 30000)]
    public async Task Two_nodes_trimming_at_once_keep_the_newest_messages_per_room_and_a_reconnect_is_told_of_the_gap()
    {
        // Arrange
        var history = new HistoryOptions { MaxMessagesPerRoom = 3 };
        var options = new ServerOptions { Cluster = new ClusterOptions { ConnectionString = Db.ConnectionString }, History = history };
        await using var a = await TestServer.StartAsync(options, output);
        await using var b = await TestServer.StartAsync(options, output);
        await using var poster = await JsonTestClient.JoinAsync(a, "poster", presence: false);
        for (var i = 1; i <= 5; i++)
        {
            await poster.SayAndWaitAsync($"m{i}");
        }

        // Act
        var removed = await Task.WhenAll(
            a.Server.Cluster!.Store.TrimAsync(history, TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow, CancellationToken.None),
            b.Server.Cluster!.Store.TrimAsync(history, TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow, CancellationToken.None));
        await using var back = await JsonTestClient.ConnectAsync(b.Port);
        await back.SendAsync(new HelloFrame("back", null, null, true, new Dictionary<string, long> { ["general"] = 0 }));
        var gap = await back.ExpectAsync<GapFrame>();
        await back.ExpectAsync<MsgFrame>(m => m.Seq == 5);

        // Assert
        Assert.Equal(2, removed.Sum());
        Assert.Equal(3, await Db.ScalarAsync("SELECT count(*) FROM messages"));
        Assert.Equal((1L, 2L), (gap.From, gap.To));
        Assert.Equal([3L, 4L, 5L], back.Received<MsgFrame>().Select(m => m.Seq));
    }
}
