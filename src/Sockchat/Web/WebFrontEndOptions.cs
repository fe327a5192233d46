using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Sockchat.Web;

/// <summary>Where and how <see cref="WebFrontEnd"/> serves the page and the <c>/ws</c> socket.</summary>
public sealed record WebFrontEndOptions
{
    /// <summary>The address and port to bind; port 0 picks a free one (read it back from <see cref="WebFrontEnd.Url"/>).</summary>
    public required IPEndPoint EndPoint { get; init; }

    /// <summary>With a certificate the port speaks HTTPS and WSS only.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>
    /// Origins (<c>scheme://host[:port]</c>) besides the page's own that may open <c>/ws</c>,
    /// for a page served from elsewhere (a reverse proxy's public name). Compared case-insensitively.
    /// </summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>How often the server pings an idle WebSocket (a WebSocket ping frame, not a sockchat <c>ping</c>).</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a ping may go unanswered before the socket is aborted.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long <see cref="WebFrontEnd.StopAsync"/> waits for open sessions before aborting them.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(3);
}
