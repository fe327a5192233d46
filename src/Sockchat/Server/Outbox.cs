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
/// keeps draining may hold a few times the limit; see <see cref="StallGrace"/>). Producers
/// (broadcasts from any thread) only ever call <see cref="TryEnqueue"/>, which never waits,
/// so a client that stops reading can never stall anyone else; the session's write loop is the
/// single reader. Owned by <see cref="ClientSession"/>.
/// </summary>
public sealed class Outbox(long maxBytes, TimeProvider? timeProvider = null)
{
    /// <summary>
    /// Past the limit, a client counts as not reading only when a socket write has been waiting
    /// this long for it (its receive window is shut). A write loop that merely has not run yet,
    /// because the server's CPU is busy, is not the client's fault: such a queue may grow up to
    /// <see cref="BurstFactor"/> times the limit, the hard bound on memory per client.
    /// </summary>
    public static readonly TimeSpan StallGrace = TimeSpan.FromSeconds(1);
    public const int BurstFactor = 8;

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private const long NoWrite = -1;
    private long _writeStartedStamp = NoWrite;
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
    public void Release(long bytes) => Interlocked.Add(ref _queuedBytes, -bytes);

    /// <summary>The write loop is about to wait for the socket to take bytes.</summary>
    public void WriteStarted() => Volatile.Write(ref _writeStartedStamp, _time.GetTimestamp());

    /// <summary>The socket took them.</summary>
    public void WriteFinished() => Volatile.Write(ref _writeStartedStamp, NoWrite);

    private bool IsStalled()
    {
        var started = Volatile.Read(ref _writeStartedStamp);
        return started != NoWrite && _time.GetElapsedTime(started) > StallGrace;
    }

    /// <summary>No more frames: the write loop drains what is queued, then ends.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
