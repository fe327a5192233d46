using System.Net;

namespace Sockchat.Web;

/// <summary>
/// Decides whether a request's <c>Origin</c> may open <c>/ws</c>: a page on another site must not
/// chat in its visitor's name (cross-site WebSocket hijacking; browsers do not apply the same-origin
/// policy to WebSockets, they only send <c>Origin</c>).
/// </summary>
/// <remarks>
/// Allowed: no <c>Origin</c> at all (not a browser: bots, tests, tools), the page's own origin
/// (the request's scheme and <c>Host</c>), and the configured extra origins. When the port is bound
/// to a loopback address, the own origin counts only with a loopback <c>Host</c> (<c>localhost</c>,
/// 127.x, [::1]): otherwise a site whose name an attacker re-points at 127.0.0.1 (DNS rebinding)
/// would be "same origin" with the page.
/// </remarks>
internal sealed class OriginPolicy(IReadOnlyList<string> allowedOrigins, bool boundToLoopback)
{
    private readonly HashSet<string> _allowed = new(allowedOrigins.Select(o => o.TrimEnd('/')), StringComparer.OrdinalIgnoreCase);

    public bool Allows(string? origin, string scheme, string? host)
    {
        if (string.IsNullOrEmpty(origin))
        {
            return true;
        }
        if (_allowed.Contains(origin))
        {
            return true;
        }
        if (string.IsNullOrEmpty(host) || (boundToLoopback && !IsLoopbackHost(host)))
        {
            return false;
        }
        return string.Equals(origin, $"{scheme}://{host}", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsLoopbackHost(string host)
    {
        // host is "name[:port]" or "[v6][:port]".
        var name = host.StartsWith('[') ? host[1..Math.Max(1, host.IndexOf(']'))]
            : host.Contains(':') ? host[..host.LastIndexOf(':')]
            : host;
        return string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address));
    }
}
