using System.Net;
using System.Net.Sockets;

namespace Sockchat.Server.Transports;

/// <summary>
/// A plain TCP connection. The socket is non-blocking, so <see cref="TrySend"/> is one
/// <c>send</c> that takes what fits in the kernel's buffer: most writes need no async machinery.
/// </summary>
public sealed class TcpTransport : ClientTransport
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    public TcpTransport(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        // Only after the NetworkStream exists (it refuses a non-blocking socket); its async I/O is unaffected.
        _socket.Blocking = false;
        RemoteEndPoint = socket.RemoteEndPoint as IPEndPoint;
    }

    public override IPEndPoint? RemoteEndPoint { get; }

    public override string Kind => "tcp";

    public override bool MaySpeakAnotherProtocol => true;

    public override async ValueTask WaitForDataAsync(CancellationToken cancellationToken)
    {
        // A zero-byte read waits for data without a buffer (it returns 0 bytes by design).
#pragma warning disable CA2022
        await _stream.ReadAsync(Memory<byte>.Empty, cancellationToken);
#pragma warning restore CA2022
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        _stream.ReadAsync(buffer, cancellationToken);

    public override int TrySend(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var sent = _socket.Send(bytes, SocketFlags.None, out var error);
            // On WouldBlock (the buffer is full) or a failure, none: the write loop then waits, or meets the error.
            return error == SocketError.Success ? sent : 0;
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken) =>
        _stream.WriteAsync(lines, cancellationToken);

    public override ValueTask CloseOutputAsync(CancellationToken cancellationToken)
    {
        _socket.Shutdown(SocketShutdown.Send);
        return ValueTask.CompletedTask;
    }

    public override ValueTask DisposeAsync() => _stream.DisposeAsync();
}
