namespace Sockchat.Client;

/// <summary>
/// How a client trusts a TLS server, strongest first: a pinned SHA-256 fingerprint, a CA file,
/// the system trust store, and otherwise trust on first use (the fingerprint remembered in
/// <see cref="KnownHostsPath"/>, as ssh does). <see cref="Insecure"/> accepts anything (testing only).
/// </summary>
public sealed record TlsClientOptions
{
    public string? Fingerprint { get; init; }
    public string? CaFile { get; init; }
    public bool Insecure { get; init; }
    public required string KnownHostsPath { get; init; }
}
