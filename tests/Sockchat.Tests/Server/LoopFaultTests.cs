using System.Net;
using Microsoft.Extensions.Logging;
using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;

namespace Sockchat.Tests.Server;

/// <summary>
/// The server's own loops are owned (issue 9): when the history writer or the accept loop dies,
/// the server must not go on accepting users whose messages would never be stored; it logs
/// Critical and stops, and <see cref="ChatServer.RunAsync"/> throws (serve exits 1).
/// </summary>
public sealed class LoopFaultTests
{
    [Fact(Timeout = 20000)]
    public async Task A_history_writer_that_fails_stops_the_server_with_a_critical_log_and_the_client_sees_it_close()
    {
        // Arrange
        var (server, logs, factory) = await StartAsync();
        using var _ = factory;
        await using var __ = server;
        using var stop = new CancellationTokenSource();
        var running = server.RunAsync(stop.Token);
        await using var alice = await JsonTestClient.ConnectAsync(server.LocalEndPoint.Port);
        await alice.HelloAsync("alice");
        server.Writer!.BeforeAppend = _ => throw new InvalidOperationException("disk controller on fire");

        // Act
        await alice.SayAsync("hello", id: "m1");
        var fault = await Assert.ThrowsAsync<ServerFaultException>(() => running.WaitAsync(TimeSpan.FromSeconds(15)));

        // Assert
        Assert.Contains("history writer", fault.Message);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Critical && e.Exception?.Message == "disk controller on fire");
        Assert.False(server.Accepting);
        await alice.ExpectAsync<ShutdownFrame>(within: TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(alice.Received<AckFrame>(), a => a.Id == FrameId.FromString("m1"));
    }

    [Fact(Timeout = 20000)]
    public async Task An_accept_loop_that_dies_stops_the_server_with_a_critical_log()
    {
        // Arrange
        var (server, logs, factory) = await StartAsync();
        using var _ = factory;
        await using var __ = server;
        using var stop = new CancellationTokenSource();
        var running = server.RunAsync(stop.Token);
        await using var alice = await JsonTestClient.ConnectAsync(server.LocalEndPoint.Port);
        await alice.HelloAsync("alice");

        // Act: the listening socket goes away under the accept loop
        server.Listener!.Dispose();
        var fault = await Assert.ThrowsAsync<ServerFaultException>(() => running.WaitAsync(TimeSpan.FromSeconds(15)));

        // Assert
        Assert.Contains("accept", fault.Message);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Critical);
        await alice.ExpectAsync<ShutdownFrame>(within: TimeSpan.FromSeconds(10));
    }

    private static async Task<(ChatServer Server, CollectingLoggerProvider Logs, ILoggerFactory Factory)> StartAsync()
    {
        var logs = new CollectingLoggerProvider(null);
        var factory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        var server = new ChatServer(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, factory);
        await server.StartAsync(CancellationToken.None);
        return (server, logs, factory);
    }
}
