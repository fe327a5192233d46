using System.Net;
using System.Net.WebSockets;
using Sockchat.Server;
using Sockchat.Server.Transports;

namespace Sockchat.Web;

/// <summary>Hands an accepted <c>/ws</c> socket to the chat server as one more session: the same hub, names, limits and shutdown as the chat port.</summary>
internal static class WebSessions
{
    /// <summary>Runs the session until it ends; a full server (or one shutting down) closes the socket with 1013, try again later.</summary>
    /// <param name="batch">The stream under <paramref name="socket"/> when it can batch frames (the web port's own sockets).</param>
    public static async Task RunAsync(ChatServer server, WebSocket socket, FrameBatchStream? batch, IPEndPoint? remote)
    {
        if (server.TryRunSession(new WebSocketTransport(socket, remote, batch)) is { } session)
        {
            await session;
            return;
        }
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "the server is full or shutting down; try again later", CancellationToken.None);
        }
        catch (WebSocketException)
        {
            // The browser went away first.
        }
    }
}
