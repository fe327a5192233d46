using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sockchat.Client;

/// <summary>The server's certificate is not trusted (unknown, not from the given CA, or different from the one remembered). Exit code 3.</summary>
public sealed class UntrustedCertificateException(string message, string endpoint, string fingerprint, bool changed)
    : ChatServerUnreachableException(message)
{
    public string Endpoint { get; } = endpoint;
    public string Fingerprint { get; } = fingerprint;
    public bool Changed { get; } = changed;

    public static UntrustedCertificateException Unknown(string endpoint, string fingerprint) => new(
        $"the TLS certificate of {endpoint} is not trusted. Its SHA-256 fingerprint is {fingerprint}. If that is your server's, run again with --tls-fingerprint {fingerprint} (or --ca FILE); 'sockchat join' on a terminal asks and remembers it.",
        endpoint, fingerprint, changed: false);

    public static UntrustedCertificateException NotPinned(string endpoint, string fingerprint) => new(
        $"the TLS certificate of {endpoint} is not the pinned one: its SHA-256 fingerprint is {fingerprint}.",
        endpoint, fingerprint, changed: false);

    public static UntrustedCertificateException NotFromCa(string endpoint, string fingerprint, string caFile) => new(
        $"the TLS certificate of {endpoint} is not issued by the CA in {caFile} for that name (its SHA-256 fingerprint is {fingerprint}).",
        endpoint, fingerprint, changed: false);

    public static UntrustedCertificateException ChangedSince(string endpoint, string fingerprint, string remembered, string knownHostsPath) => new(
        $"WARNING: the TLS certificate of {endpoint} has CHANGED: it was {remembered}, it is now {fingerprint}. Someone may be intercepting the connection. If the server really has a new certificate, delete its line from {knownHostsPath}.",
        endpoint, fingerprint, changed: true);
}

/// <summary>Decides whether a server certificate is trusted (see <see cref="TlsClientOptions"/>), and remembers accepted ones.</summary>
public sealed class TrustPolicy(TlsClientOptions options, string endpoint)
{
    /// <summary>Set when the last check failed for a reason the user can act on.</summary>
    public UntrustedCertificateException? Failure { get; private set; }

    public static string FingerprintOf(X509Certificate certificate) =>
        Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData()));

    /// <summary>Accepts "AB:CD…", "abcd…" or "SHA256:ABCD…" and returns plain upper-case hex.</summary>
    public static string NormalizeFingerprint(string text)
    {
        var t = text.Trim();
        if (t.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
        {
            t = t[7..];
        }
        return t.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant();
    }

    public bool Validate(X509Certificate? certificate, SslPolicyErrors errors)
    {
        Failure = null;
        if (options.Insecure)
        {
            return true;
        }
        if (certificate is null)
        {
            return false;
        }
        var fingerprint = FingerprintOf(certificate);
        if (options.Fingerprint is { } pinned)
        {
            if (NormalizeFingerprint(pinned) == fingerprint)
            {
                return true;
            }
            Failure = UntrustedCertificateException.NotPinned(endpoint, fingerprint);
            return false;
        }
        if (options.CaFile is { } caFile)
        {
            if (TrustedByCa(certificate, caFile, errors))
            {
                return true;
            }
            Failure = UntrustedCertificateException.NotFromCa(endpoint, fingerprint, caFile);
            return false;
        }
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        var remembered = KnownHosts.Find(options.KnownHostsPath, endpoint) is { } known ? NormalizeFingerprint(known) : null;
        if (remembered == fingerprint)
        {
            return true;
        }
        Failure = remembered is null
            ? UntrustedCertificateException.Unknown(endpoint, fingerprint)
            : UntrustedCertificateException.ChangedSince(endpoint, fingerprint, remembered, options.KnownHostsPath);
        return false;
    }

    private static bool TrustedByCa(X509Certificate certificate, string caFile, SslPolicyErrors errors)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.ImportFromPemFile(caFile);
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
