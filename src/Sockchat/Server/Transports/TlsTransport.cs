using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Sockchat.Server.Transports;

/// <summary>A TLS connection on the chat port: the handshake in <see cref="OpenAsync"/>, bounded by a deadline, then lines over the <see cref="SslStream"/>.</summary>
public sealed class TlsTransport(Socket socket, X509Certificate2 certificate, TimeSpan handshakeTimeout) : ClientTransport
{
    private readonly SslStream _ssl = new(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);

    public override IPEndPoint? RemoteEndPoint { get; } = socket.RemoteEndPoint as IPEndPoint;

    public override string Kind => "tls";

    /// <summary>Why the handshake failed, for the log (null when it did not).</summary>
    public string? HandshakeError { get; private set; }

    public override async ValueTask<bool> OpenAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(handshakeTimeout);
        try
        {
            await _ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                ClientCertificateRequired = false,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            }, deadline.Token);
            return true;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // A plain client on the TLS port, a scanner, or a peer that gave up: its problem, not the server's.
            HandshakeError = ex.Message;
            return false;
        }
    }

    /// <summary>A zero-byte read of the TLS stream: it waits for a record without a buffer.</summary>
    public override ValueTask<int> WaitForDataAsync(CancellationToken cancellationToken) =>
        _ssl.ReadAsync(Memory<byte>.Empty, cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        _ssl.ReadAsync(buffer, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken) =>
        _ssl.WriteAsync(lines, cancellationToken);

    public override ValueTask CloseOutputAsync(CancellationToken cancellationToken)
    {
        socket.Shutdown(SocketShutdown.Send);
        return ValueTask.CompletedTask;
    }

    public override ValueTask DisposeAsync() => _ssl.DisposeAsync();
}
