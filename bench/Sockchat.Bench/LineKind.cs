namespace Sockchat.Bench;

/// <summary>What a dialect made of one line from the server.</summary>
public enum LineKind
{
    /// <summary>Nothing the benchmark counts: notices, joins, numerics, announcements.</summary>
    Ignored,

    /// <summary>A chat message; its text is the payload range.</summary>
    Message,

    /// <summary>A chat message whose text is not exactly one payload, or a line the dialect cannot read at all.</summary>
    Corrupt,

    /// <summary>The handshake is complete: the client may be counted as ready.</summary>
    Ready,

    /// <summary>The server refused this client (name taken, server full, ERROR): it will not become ready.</summary>
    Refused,

    /// <summary>An error frame after the handshake (for example rate_limited).</summary>
    ServerError,
}
