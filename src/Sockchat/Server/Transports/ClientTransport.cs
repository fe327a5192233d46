using System.Net;

namespace Sockchat.Server.Transports;

/// <summary>
/// Moves a client's bytes, and nothing else: a <see cref="ClientSession"/> reads lines from it and
/// writes queued frames to it, and knows no more about it than this class says. Names, rooms,
/// rates, the outbound queue and the <c>slow</c> policy live in the session and the hub, once,
/// for every transport (TCP, TLS, WebSocket).
/// <para>
/// Threading: <see cref="ReadAsync"/> and <see cref="WaitForDataAsync"/> are called only by the
/// session's read loop; <see cref="TrySend"/>, <see cref="WriteAsync"/> and <see cref="CloseOutputAsync"/>
/// only by its write loop. The two may run at once; nothing else touches the transport.
/// </para>
/// </summary>
public abstract class ClientTransport : IAsyncDisposable
{
    /// <summary>Where the client connects from (its address counts against per-address limits).</summary>
    public abstract IPEndPoint? RemoteEndPoint { get; }

    /// <summary>For logs: <c>tcp</c>, <c>tls</c> or <c>websocket</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>
    /// True for raw TCP, where the first bytes may turn out to be another protocol (a TLS
    /// ClientHello, an HTTP request) and are checked before anything is framed.
    /// </summary>
    public virtual bool MaySpeakAnotherProtocol => false;

    /// <summary>The dialect the transport implies (the web socket speaks JSON), or <see cref="Dialect.Undecided"/> to tell by the first line.</summary>
    public virtual Dialect Dialect => Dialect.Undecided;

    /// <summary>Anything to do before the first byte (the TLS handshake). False: the client failed it, close.</summary>
    public virtual ValueTask<bool> OpenAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);

    /// <summary>
    /// Completes when bytes can be read, without holding a buffer while waiting (an idle client
    /// costs none). Its result means nothing (a zero-byte read's 0): it is a <c>ValueTask&lt;int&gt;</c> so
    /// that a transport can hand back its socket's own wait, without an object of its own per connection.
    /// </summary>
    public abstract ValueTask<int> WaitForDataAsync(CancellationToken cancellationToken);

    /// <summary>Reads bytes of the client's lines: 0 at the end of input.</summary>
    public abstract ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Sends what it can at once without waiting: how many bytes of <paramref name="bytes"/> it took (0 when it never sends without waiting).</summary>
    public virtual int TrySend(ReadOnlySpan<byte> bytes) => 0;

    /// <summary>Sends whole lines (each ending in <c>\n</c>), waiting for the client to take them.</summary>
    public abstract ValueTask WriteAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken);

    /// <summary>No more output: the client sees the end (a FIN, a WebSocket close).</summary>
    public abstract ValueTask CloseOutputAsync(CancellationToken cancellationToken);

    /// <summary>True when <paramref name="ex"/> is this transport's way of saying the connection is gone (normal, not a bug).</summary>
    public virtual bool IsConnectionError(Exception ex) =>
        ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException;

    public abstract ValueTask DisposeAsync();
}
