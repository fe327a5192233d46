using System.Net;
using System.Net.Sockets;

namespace Sockchat.E2E.Infrastructure;

/// <summary>Ports for tests that need one where nothing listens.</summary>
public static class Ports
{
    /// <summary>
    /// A loopback port that was free a moment ago and now has no listener: the system picks it
    /// (port 0), the listener is stopped at once. Connecting to it is refused.
    /// </summary>
    public static int Dead()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
