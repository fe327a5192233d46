namespace Sockchat.Tests.Web;

/// <summary>A stream that counts the writes made to it and, while <see cref="Hold"/> is set, keeps them waiting (a client that does not read), as cancellable as Kestrel's.</summary>
internal sealed class CountingStream(Stream inner) : Stream
{
    private int _writes;
    private TaskCompletionSource? _hold;

    /// <summary>Calls of WriteAsync that reached the connection.</summary>
    public int Writes => Volatile.Read(ref _writes);

    /// <summary>From now on, writes wait until <see cref="Release"/> (or their cancellation).</summary>
    public void Hold() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _hold?.TrySetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _writes);
        if (_hold is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }
        await inner.WriteAsync(buffer, cancellationToken);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("the WebSocket writes asynchronously");

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
