using System.Globalization;
using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Server;

/// <summary>Capacity, shutdown and the slow-consumer policy.</summary>
public sealed class LifetimeTests(ITestOutputHelper output)
{
    [Fact(Timeout = 15000)]
    public async Task A_client_beyond_MaxClients_is_refused_server_full_and_closed()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(new ServerOptions { MaxClients = 2 }, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");

        // Act
        await using var carol = await JsonTestClient.ConnectAsync(server.Port);

        // Assert
        var error = await carol.ExpectAsync<ErrorFrame>();
        Assert.Equal(ErrorCodes.ServerFull, error.Code);
        await carol.ExpectClosedAsync();
        await alice.SyncAsync();
    }

    [Fact(Timeout = 15000)]
    public async Task Stopping_the_server_sends_every_client_a_shutdown_frame_and_closes()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await using var carol = await TextTestClient.JoinAsync(server, "carol");
        await alice.ExpectAsync<JoinedFrame>(j => j.Name == "carol");

        // Act
        await server.StopAsync();

        // Assert
        foreach (var client in new[] { alice, bob })
        {
            await client.ExpectAsync<ShutdownFrame>();
            await client.ExpectClosedAsync();
            Assert.Empty(client.Received<LeftFrame>());
        }
        await carol.ExpectLineAsync(l => l.Contains("shutting down", StringComparison.Ordinal));
        await carol.ExpectClosedAsync();
    }

    [Fact(Timeout = 15000)]
    public async Task Stopping_the_server_logs_start_and_stop_without_errors()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");

        // Act
        await server.StopAsync();

        // Assert
        Assert.Contains(server.Logs, e => e.Message.StartsWith("listening on 127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains(server.Logs, e => e.Message == "stopped");
        Assert.DoesNotContain(server.Logs, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact(Timeout = 15000)]
    public async Task A_client_that_stops_reading_is_dropped_as_slow_and_the_others_lose_nothing()
    {
        // Arrange
        // The flooder posts as fast as it can: rate limiting is off so that only the slow reader is tested.
        await using var server = await TestServer.StartAsync(new ServerOptions { OutboxMaxBytes = 64 * 1024, RatePerSecond = 0 }, output);
        await using var reader = await JsonTestClient.JoinAsync(server, "reader");
        await using var sleeper = await JsonTestClient.ConnectAsync(server.Port, receiveBufferSize: 4096);
        await sleeper.HelloAsync("sleeper");
        await reader.ExpectAsync<JoinedFrame>(j => j.Name == "sleeper");
        await using var flooder = await JsonTestClient.JoinAsync(server, "flooder", presence: false);
        var text = new string('x', 400);
        const int batch = 64;
        const long cap = 64L * 1024 * 1024;

        // Act: flood in batches, each one read by the reader before the next, until the sleeper is dropped.
        long sent = 0;
        LeftFrame? slow = null;
        while (slow is null)
        {
            Assert.True(sent * text.Length < cap, $"the sleeper was not dropped after {sent} messages");
            for (var i = 0; i < batch; i++)
            {
                await flooder.SendAsync(new SayFrame(null, text, null));
            }
            sent += batch;
            await reader.ExpectAsync<MsgFrame>(m => m.Seq == sent);
            slow = reader.Received<LeftFrame>().FirstOrDefault(l => l.Name == "sleeper");
        }
        // A last one with an ack, to know the flood has been fully handled.
        sent++;
        await flooder.SendAsync(new SayFrame(null, "last", FrameId.FromString(sent.ToString(CultureInfo.InvariantCulture))));
        await flooder.ExpectAsync<AckFrame>();
        await reader.ExpectAsync<MsgFrame>(m => m.Seq == sent);

        // Assert
        Assert.Equal(LeaveReasons.Slow, slow.Reason);
        var seqs = reader.Received<MsgFrame>().Select(m => m.Seq).ToList();
        Assert.Equal(sent, seqs.Count);
        Assert.Equal(Enumerable.Range(1, (int)sent).Select(i => (long)i), seqs);
        Assert.Contains(server.Logs, e => e.Message.Contains("disconnecting as slow", StringComparison.Ordinal));
        output.WriteLine($"the sleeper was dropped after {sent} messages");
    }
}
