using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Sockchat.Server.Transports;

namespace Sockchat.Web;

/// <summary>
/// Kestrel's HTTP/1.1 upgrade, with the upgraded connection wrapped in a <see cref="FrameBatchStream"/>,
/// so that the WebSocket built on it can send a batch of frames in one write (issue 10).
/// Installed on <c>/ws</c> requests by <see cref="InstallAsync"/>, a middleware that must run
/// before ASP.NET's WebSocket middleware: that one takes the request's upgrade feature when the
/// request passes it, before the endpoint accepts the socket. A WebSocket over HTTP/2 (extended
/// CONNECT) does not use this feature: it works unbatched.
/// </summary>
internal sealed class BatchingUpgradeFeature(IHttpUpgradeFeature inner) : IHttpUpgradeFeature
{
    /// <summary>The wrapped connection, once upgraded.</summary>
    public FrameBatchStream? Stream { get; private set; }

    public bool IsUpgradableRequest => inner.IsUpgradableRequest;

    public async Task<Stream> UpgradeAsync()
    {
        var stream = new FrameBatchStream(await inner.UpgradeAsync());
        Stream = stream;
        return stream;
    }

    /// <summary>The middleware: wraps the upgrade feature of a request for <paramref name="path"/>.</summary>
    public static Task InstallAsync(HttpContext context, RequestDelegate next, string path)
    {
        if (context.Request.Path.Value == path && context.Features.Get<IHttpUpgradeFeature>() is { } upgrade)
        {
            context.Features.Set<IHttpUpgradeFeature>(new BatchingUpgradeFeature(upgrade));
        }
        return next(context);
    }

    /// <summary>The batching stream of an accepted WebSocket on <paramref name="context"/>, if it came through this feature.</summary>
    public static FrameBatchStream? Of(HttpContext context) => (context.Features.Get<IHttpUpgradeFeature>() as BatchingUpgradeFeature)?.Stream;
}
