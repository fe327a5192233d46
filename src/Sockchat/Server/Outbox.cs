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
/// One session's queue of encoded frames waiting to be written, bounded in bytes (a queue that
/// keeps draining may briefly hold a few times the limit; see <see cref="StallGrace"/>). Producers
/// (broadcasts from any thread) only ever call <see cref="TryEnqueue"/>, which never waits,
/// so a client that stops reading can never stall anyone else; the session's write loop is the
/// single reader. Owned by <see cref="ClientSession"/>.
/// </summary>
public sealed class Outbox(long maxBytes, TimeProvider? timeProvider = null)
{
    /// <summary>
    /// Past the limit, a queue still drains (its write loop made progress within this time) is
    /// allowed to grow up to <see cref="BurstFactor"/> times the limit: a reading client absorbs a
    /// burst the rate limit allowed; only one that stopped reading is refused.
    /// </summary>
    public static readonly TimeSpan StallGrace = TimeSpan.FromSeconds(1);
    public const int BurstFactor = 4;

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private long _progressStamp = (timeProvider ?? TimeProvider.System).GetTimestamp();
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
        if (total == bytes.Length)
        {
            // The queue was empty: nothing was waiting on the reader until now.
            Volatile.Write(ref _progressStamp, _time.GetTimestamp());
        }
        if (total > maxBytes && !ignoreLimit && (total > maxBytes * BurstFactor || IsStalled()))
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
    public void Release(long bytes)
    {
        Interlocked.Add(ref _queuedBytes, -bytes);
        Volatile.Write(ref _progressStamp, _time.GetTimestamp());
    }

    private bool IsStalled() => _time.GetElapsedTime(Volatile.Read(ref _progressStamp)) > StallGrace;

    /// <summary>No more frames: the write loop drains what is queued, then ends.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
