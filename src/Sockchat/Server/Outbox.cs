using System.Buffers;
using System.Threading.Tasks.Sources;

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

/// <summary>Outcome of <see cref="Outbox.TryTake"/>.</summary>
public enum TakeResult
{
    /// <summary>Bytes were copied out; the write loop reports them written with <see cref="Outbox.FinishWriting"/>.</summary>
    Taken,
    /// <summary>Nothing is queued.</summary>
    Empty,
    /// <summary>Completed and everything was written: the write loop can end.</summary>
    Finished,
}

/// <summary>
/// One session's queue of encoded frames waiting to be written, bounded in bytes (a queue that
/// keeps draining may hold a few times the limit; see <see cref="StallGrace"/>). Producers
/// (broadcasts from any thread) only ever call <see cref="TryEnqueue"/>, which never waits,
/// so a client that stops reading can never stall anyone else.
/// <para>
/// One consumer: the session's write loop, the only code that writes to the client's transport.
/// It takes what is queued, writes it, and parks in <see cref="WaitAsync"/>; the one wake-up
/// condition (checked under the same lock as enqueueing, so no wake is lost) is "bytes are
/// queued or the outbox is completed". Owned by <see cref="ClientSession"/>.
/// The parked write loop waits on the outbox itself (an <see cref="IValueTaskSource"/>, reset for
/// each wait), not on a task allocated per wait: an idle connection's queue holds no task.
/// </para>
/// </summary>
public sealed class Outbox(long maxBytes, TimeProvider? timeProvider = null) : IValueTaskSource
{
    /// <summary>
    /// Past the limit, a client counts as not reading only when its socket has taken no bytes for
    /// this long while a write waits for it (its receive window is shut): lack of progress, not
    /// the length of one write, which a client reading a big reply slowly may well need. A write
    /// loop that merely has not run yet, because the server's CPU is busy, is not the client's
    /// fault: such a queue may grow up to <see cref="BurstFactor"/> times the limit, the hard bound on memory per client.
    /// </summary>
    public static readonly TimeSpan StallGrace = TimeSpan.FromSeconds(1);
    public const int BurstFactor = 8;

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private const long NoWrite = -1;
    private long _writeStartedStamp = NoWrite;
    private readonly Lock _sync = new();
    private readonly Queue<ReadOnlyMemory<byte>> _queue = new();
    private long _queuedBytes;
    private bool _completed;
    /// <summary>Set by <see cref="WakeForCancellation"/>: from then on the write loop never parks (it is stopping).</summary>
    private bool _woken;
    /// <summary>True while the write loop waits on <see cref="_wake"/>; whoever clears it (under <see cref="_sync"/>) completes the wait.</summary>
    private bool _parked;
    /// <summary>The write loop's wait. Continuations run on the thread pool: a wake happens under the hub's lock, and the write loop must not run there.</summary>
    private ManualResetValueTaskSourceCore<bool> _wake = new() { RunContinuationsAsynchronously = true };
    private TaskCompletionSource? _drained;
    private long _drainedAt;

    /// <summary>Bytes queued or being written.</summary>
    public long QueuedBytes => Volatile.Read(ref _queuedBytes);

    /// <summary>Queues bytes and wakes the write loop if it is parked. Never waits.</summary>
    public EnqueueResult TryEnqueue(ReadOnlyMemory<byte> bytes, bool ignoreLimit = false)
    {
        if (bytes.IsEmpty)
        {
            return EnqueueResult.Queued;
        }
        bool parked;
        lock (_sync)
        {
            if (_completed)
            {
                return EnqueueResult.Closed;
            }
            var total = _queuedBytes + bytes.Length;
            if (total > maxBytes && !ignoreLimit && (total > maxBytes * BurstFactor || IsStalled()))
            {
                return EnqueueResult.Full;
            }
            Volatile.Write(ref _queuedBytes, total);
            _queue.Enqueue(bytes);
            _queueTrimmable = true;
            parked = _parked;
            _parked = false;
        }
        Wake(parked);
        return EnqueueResult.Queued;
    }

    /// <summary>
    /// For the write loop: copies queued bytes (at least one frame, then whole frames up to about
    /// <paramref name="maxBytes"/>) into <paramref name="destination"/>.
    /// </summary>
    public TakeResult TryTake(IBufferWriter<byte> destination, long maxBytes, out long taken)
    {
        taken = 0;
        lock (_sync)
        {
            if (_queue.Count == 0)
            {
                return _completed ? TakeResult.Finished : TakeResult.Empty;
            }
            // Frames are small: copying them under the lock costs less than a lock per frame.
            while (taken < maxBytes && _queue.TryDequeue(out var next))
            {
                destination.Write(next.Span);
                taken += next.Length;
            }
            return TakeResult.Taken;
        }
    }

    /// <summary>For the write loop: <paramref name="written"/> bytes it took are on their way; they no longer count as queued.</summary>
    public void FinishWriting(long written)
    {
        TaskCompletionSource? drained = null;
        lock (_sync)
        {
            Volatile.Write(ref _queuedBytes, _queuedBytes - written);
            if (_drained is not null && _queuedBytes <= _drainedAt)
            {
                drained = _drained;
                _drained = null;
            }
        }
        drained?.TrySetResult();
    }

    /// <summary>
    /// Completes once at most <paramref name="threshold"/> bytes are queued (or the outbox completed): a
    /// replay waits here before it reads and queues its next page, so it goes at the pace the client reads.
    /// One waiter at a time (the session's read loop).
    /// </summary>
    public Task WaitUntilBelowAsync(long threshold, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            if (_queuedBytes <= threshold || _completed)
            {
                return Task.CompletedTask;
            }
            _drainedAt = threshold;
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// For the write loop: completes when there may be something to take (or the outbox
    /// completed, or <see cref="WakeForCancellation"/> was called). Never misses a wake: the
    /// check and the parking happen under the same lock as enqueueing.
    /// </summary>
    public ValueTask WaitAsync()
    {
        lock (_sync)
        {
            if (_queue.Count > 0 || _completed || _woken)
            {
                return ValueTask.CompletedTask;
            }
            if (_queueTrimmable)
            {
                // Going idle: give back the queue's array, which grew for the last burst.
                _queue.TrimExcess();
                _queueTrimmable = false;
            }
            // The one waiter's previous wait has completed and was awaited: the source can be reused.
            _wake.Reset();
            _parked = true;
            return new ValueTask(this, _wake.Version);
        }
    }

    /// <summary>True once the queue held frames since it was last trimmed (trimming an empty array again would allocate a new empty one).</summary>
    private bool _queueTrimmable;

    /// <summary>Completes the write loop's wait if the caller took it from <see cref="_parked"/>; outside <see cref="_sync"/>.</summary>
    private void Wake(bool parked)
    {
        if (parked)
        {
            _wake.SetResult(true);
        }
    }

    void IValueTaskSource.GetResult(short token) => _wake.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _wake.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _wake.OnCompleted(continuation, state, token, flags);

    /// <summary>Releases a waiting write loop so that it can see its token was cancelled; it never parks again.</summary>
    public void WakeForCancellation()
    {
        bool parked;
        lock (_sync)
        {
            _woken = true;
            parked = _parked;
            _parked = false;
        }
        Wake(parked);
    }

    /// <summary>The write loop is about to wait for the socket to take bytes.</summary>
    public void WriteStarted() => Volatile.Write(ref _writeStartedStamp, _time.GetTimestamp());

    /// <summary>
    /// The socket would not take everything: a wait for it starts now, or, when it took nothing
    /// (<paramref name="progressed"/> false), goes on from when it started.
    /// </summary>
    public void WriteBlocked(bool progressed)
    {
        if (progressed || Volatile.Read(ref _writeStartedStamp) == NoWrite)
        {
            WriteStarted();
        }
    }

    /// <summary>The socket took some of the bytes it waited for: the client is reading, so the clock for "not reading" starts again.</summary>
    public void WriteProgressed() => WriteStarted();

    /// <summary>The socket took them.</summary>
    public void WriteFinished() => Volatile.Write(ref _writeStartedStamp, NoWrite);

    /// <summary>Past the byte limit, with the socket taking no bytes for <see cref="StallGrace"/>: the client is not reading.</summary>
    public bool IsStalledOverLimit => QueuedBytes > maxBytes && IsStalled();

    private bool IsStalled()
    {
        var started = Volatile.Read(ref _writeStartedStamp);
        return started != NoWrite && _time.GetElapsedTime(started) > StallGrace;
    }

    /// <summary>No more frames: the write loop drains what is queued, then ends.</summary>
    public void Complete()
    {
        bool parked;
        TaskCompletionSource? drained;
        lock (_sync)
        {
            _completed = true;
            parked = _parked;
            _parked = false;
            drained = _drained;
            _drained = null;
        }
        Wake(parked);
        drained?.TrySetResult();
    }
}
