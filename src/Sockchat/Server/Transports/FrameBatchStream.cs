using System.Buffers;

namespace Sockchat.Server.Transports;

/// <summary>
/// The stream under a server <see cref="System.Net.WebSockets.WebSocket"/> (the web port's upgraded
/// connection), able to hold a batch of frames and hand them to the connection in one write:
/// without it every frame the WebSocket sends is one write and one flush of the connection
/// (Kestrel's output pipe), which cost the web clients most of their throughput (issue 10).
/// <para>
/// Who writes: only the WebSocket, which writes each frame whole (header and payload in one
/// <see cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>, then <see cref="FlushAsync(CancellationToken)"/>)
/// and serializes all its sends, its own pongs, pings and close frames included, under one send
/// mutex (ManagedWebSocket's <c>_sendMutex</c>). So every write and flush here runs under that
/// mutex, one at a time, and the buffer needs no lock of its own: frames stay whole and in order.
/// </para>
/// <para>
/// The batch: its owner (<see cref="WebSocketTransport"/>'s write) calls <see cref="BeginBatch"/>,
/// sends all but the last frame (they are copied here, and the call completes at once), calls
/// <see cref="EndBatch"/>, and sends the last frame: that write takes everything held, plus
/// itself, to the connection in one write. A control frame the WebSocket sends meanwhile
/// (a pong, a keep-alive ping) is held in the batch with the rest, in the order it was sent, or
/// carries the held bytes out itself if it comes after <see cref="EndBatch"/>; nothing is left
/// held once the batch's last frame is written. At most <see cref="Capacity"/> bytes are held; a
/// frame that would not fit sends what is held first (inside the same mutex, so still whole frames).
/// </para>
/// The pooled buffer is held only during a batch: an idle connection holds none.
/// </summary>
public sealed class FrameBatchStream(Stream inner) : Stream
{
    /// <summary>The most bytes held before they are written (a batch of the session's 16 KiB slice and its frame headers fits).</summary>
    public const int Capacity = 32 * 1024;

    private byte[]? _held;
    private int _heldCount;
    /// <summary>Set and cleared by the batch's owner; read by writes under the WebSocket's send mutex.</summary>
    private volatile bool _batching;

    /// <summary>From now on frames are held, not written, until <see cref="EndBatch"/> and the write after it.</summary>
    public void BeginBatch() => _batching = true;

    /// <summary>The next write (the batch's last frame, or a control frame first) takes everything held to the connection.</summary>
    public void EndBatch() => _batching = false;

    public override bool CanRead => inner.CanRead;

    public override bool CanWrite => inner.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_batching && TryHold(buffer.Span))
        {
            return ValueTask.CompletedTask;
        }
        if (_heldCount == 0 && !_batching)
        {
            return inner.WriteAsync(buffer, cancellationToken);
        }
        return WriteHeldThenAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Not used by the WebSocket (it writes asynchronously); passes through, after anything held.</summary>
    public override void Write(byte[] buffer, int offset, int count)
    {
        if (_heldCount > 0)
        {
            inner.Write(_held!, 0, _heldCount);
            Release();
        }
        inner.Write(buffer, offset, count);
    }

    /// <summary>During a batch, nothing (the batch's last write flushes); otherwise anything held, then the connection's flush.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_batching)
        {
            return Task.CompletedTask;
        }
        return _heldCount == 0 ? inner.FlushAsync(cancellationToken) : WriteHeldAndFlushAsync(cancellationToken);
    }

    public override void Flush()
    {
        if (!_batching)
        {
            inner.Flush();
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Only the connection: a write may still be using the held buffer (an abort comes from
            // any thread), so it is left to the garbage collector rather than returned to the pool.
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    private bool TryHold(ReadOnlySpan<byte> frame)
    {
        if (_heldCount + frame.Length > Capacity)
        {
            return false;
        }
        _held ??= ArrayPool<byte>.Shared.Rent(Capacity);
        frame.CopyTo(_held.AsSpan(_heldCount));
        _heldCount += frame.Length;
        return true;
    }

    /// <summary>
    /// Writes what is held and <paramref name="frame"/>: in one write when they fit together,
    /// otherwise what is held first. During a batch, a frame that fits after that is held again.
    /// </summary>
    private async ValueTask WriteHeldThenAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        if (!_batching && TryHold(frame.Span))
        {
            await WriteHeldAsync(cancellationToken);
            return;
        }
        if (_heldCount > 0)
        {
            await WriteHeldAsync(cancellationToken);
        }
        if (!_batching || !TryHold(frame.Span))
        {
            await inner.WriteAsync(frame, cancellationToken);
        }
    }

    private async Task WriteHeldAndFlushAsync(CancellationToken cancellationToken)
    {
        await WriteHeldAsync(cancellationToken);
        await inner.FlushAsync(cancellationToken);
    }

    private async ValueTask WriteHeldAsync(CancellationToken cancellationToken)
    {
        await inner.WriteAsync(_held.AsMemory(0, _heldCount), cancellationToken);
        Release();
    }

    /// <summary>After a write completed: the buffer goes back to the pool (only then: the write read from it).</summary>
    private void Release()
    {
        if (_held is { } held)
        {
            _held = null;
            _heldCount = 0;
            ArrayPool<byte>.Shared.Return(held);
        }
    }
}
