using System.Net;
using System.Net.Sockets;

namespace Sockchat.Server.Transports;

/// <summary>
/// A plain TCP connection, on the socket itself (no stream around it: one object less per
/// connection). The socket is non-blocking, so <see cref="TrySend"/> is one <c>send</c> that takes
/// what fits in the kernel's buffer: most writes need no async machinery.
/// </summary>
public sealed class TcpTransport : ClientTransport
{
    private readonly Socket _socket;

    public TcpTransport(Socket socket)
    {
        _socket = socket;
        // The socket's async operations are unaffected; TrySend's plain Send returns WouldBlock instead of waiting.
        _socket.Blocking = false;
        RemoteEndPoint = socket.RemoteEndPoint as IPEndPoint;
    }

    public override IPEndPoint? RemoteEndPoint { get; }

    public override string Kind => "tcp";

    public override bool MaySpeakAnotherProtocol => true;

    /// <summary>A zero-byte receive: it waits for data without a buffer (and returns 0 by design).</summary>
    public override ValueTask<int> WaitForDataAsync(CancellationToken cancellationToken) =>
        _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

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

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken)
    {
        // Socket.SendAsync may take part of the bytes; the contract is all of them.
        while (!lines.IsEmpty)
        {
            var sent = await _socket.SendAsync(lines, SocketFlags.None, cancellationToken);
            lines = lines[sent..];
        }
    }

    public override ValueTask CloseOutputAsync(CancellationToken cancellationToken)
    {
        _socket.Shutdown(SocketShutdown.Send);
        return ValueTask.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
