using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Sockchat.Configuration;

namespace Sockchat.Cli;

/// <summary>Loads the server's certificate (PEM pair or PFX), or makes a throwaway self-signed one.</summary>
internal static class TlsCertificates
{
    /// <exception cref="ConfigurationException">the files are missing or unreadable</exception>
    public static X509Certificate2 Load(string certPath, string? keyPath)
    {
        try
        {
            if (certPath.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || certPath.EndsWith(".p12", StringComparison.OrdinalIgnoreCase))
            {
                return X509CertificateLoader.LoadPkcs12FromFile(certPath, password: null);
            }
            return keyPath is null
                ? throw new ConfigurationException($"--tls-cert {certPath} is PEM, so --tls-key is needed too (or give a .pfx file)")
                : X509Certificate2.CreateFromPemFile(certPath, keyPath);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"cannot load the TLS certificate {certPath}{(keyPath is null ? "" : $" with key {keyPath}")}: {ex.Message}");
        }
    }

    /// <summary>A self-signed certificate valid for a year, for the host name and the loopback addresses.</summary>
    public static X509Certificate2 CreateSelfSigned(string host)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        if (IPAddress.TryParse(host, out var address))
        {
            if (!IPAddress.IsLoopback(address))
            {
                names.AddIpAddress(address);
            }
        }
        else if (host != "localhost")
        {
            names.AddDnsName(host);
        }
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }
}
