using System.Threading.Channels;

namespace Sockchat.Server;

/// <summary>Outcome of offering bytes to an <see cref="Outbox"/>.</summary>
public enum EnqueueResult
{
    Queued,
    /// <summary>The byte limit would be passed: the client is not keeping up.</summary>
    Full,
    /// <summary>The session is closing; nothing more is sent.</summary>
    Closed,
}

/// <summary>
/// One session's queue of encoded frames waiting to be written, bounded in bytes. Producers
/// (broadcasts from any thread) only ever call <see cref="TryEnqueue"/>, which never waits,
/// so a client that stops reading can never stall anyone else; the session's write loop is the
/// single reader. Owned by <see cref="ClientSession"/>.
/// </summary>
public sealed class Outbox(long maxBytes)
{
    private readonly Channel<ReadOnlyMemory<byte>> _channel = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });
    private long _queuedBytes;

    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    public ChannelReader<ReadOnlyMemory<byte>> Reader => _channel.Reader;

    public EnqueueResult TryEnqueue(ReadOnlyMemory<byte> bytes, bool ignoreLimit = false)
    {
        if (bytes.IsEmpty)
        {
            return EnqueueResult.Queued;
        }
        var total = Interlocked.Add(ref _queuedBytes, bytes.Length);
        if (total > maxBytes && !ignoreLimit)
        {
            Interlocked.Add(ref _queuedBytes, -bytes.Length);
            return EnqueueResult.Full;
        }
        if (!_channel.Writer.TryWrite(bytes))
        {
            Interlocked.Add(ref _queuedBytes, -bytes.Length);
            return EnqueueResult.Closed;
        }
        return EnqueueResult.Queued;
    }

    /// <summary>Called by the write loop once bytes have left for the socket.</summary>
    public void Release(long bytes) => Interlocked.Add(ref _queuedBytes, -bytes);

    /// <summary>No more frames: the write loop drains what is queued, then ends.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
