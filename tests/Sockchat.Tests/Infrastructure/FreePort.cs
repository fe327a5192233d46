using System.Net;
using System.Net.Sockets;

namespace Sockchat.Tests.Infrastructure;

internal static class FreePort
{
    /// <summary>A port nothing listens on: one the system handed to a listener that was then stopped.</summary>
    public static int WithNothingListening()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
