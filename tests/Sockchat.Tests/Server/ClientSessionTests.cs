using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Sockchat.Server;

namespace Sockchat.Tests.Server;

/// <summary>A <see cref="ClientSession"/> driven directly, for orderings the server only hits by chance.</summary>
public sealed class ClientSessionTests
{
    /// <summary>
    /// <see cref="ChatServer"/>'s shutdown calls <see cref="ClientSession.BeginShutdown"/> on a
    /// snapshot of its sessions; one whose client has just left may already be finished and
    /// disposed by then (its close reason is still unset after an EOF or reset). That call must be
    /// a no-op, as <see cref="ClientSession.Abort"/> already is, or the exception escapes
    /// <see cref="ChatServer.RunAsync"/> and the rest of the shutdown never happens.
    /// </summary>
    [Fact(Timeout = 15000)]
    public async Task Beginning_shutdown_of_a_session_that_already_ended_does_not_throw()
    {
        // Arrange
        var options = new ServerOptions();
        await using var store = SqliteHistoryStore.Open(options.History);
        var writer = new HistoryWriter(store, options.History, TimeProvider.System, NullLogger.Instance);
        var hub = new ChatHub(options, store, writer, TimeProvider.System, NullLogger.Instance);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, timeout.Token);
        var socket = await listener.AcceptSocketAsync(timeout.Token);
        var session = new ClientSession(1, new Sockchat.Server.Transports.TcpTransport(socket), hub, options, new AuthThrottle(null, TimeProvider.System), NullLogger.Instance);
        var running = session.RunAsync();
        client.Client.Shutdown(SocketShutdown.Send);
        await running.WaitAsync(timeout.Token);
        await session.DisposeAsync();

        // Act
        var error = Record.Exception(session.BeginShutdown);

        // Assert
        Assert.Null(error);
    }
}
