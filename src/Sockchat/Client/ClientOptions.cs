using Sockchat.Protocol;

namespace Sockchat.Client;

/// <summary>Where and as whom a client connects; validated by the CLI before use.</summary>
public sealed record ClientOptions
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = ProtocolLimits.DefaultPort;
    public required string Name { get; init; }
    public string? Room { get; init; }
    /// <summary>False for posting-only connections (<c>say</c>).</summary>
    public bool Presence { get; init; } = true;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>The server password, if it has one.</summary>
    public string? Password { get; init; }
    /// <summary>TLS settings, or null for plain TCP.</summary>
    public TlsClientOptions? Tls { get; init; }
}
