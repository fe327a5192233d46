using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Sockchat.Protocol;

namespace Sockchat.Server;

/// <summary>
/// An entry in the writer's queue: a message waiting to be stored (then broadcast and acknowledged),
/// or a notice that must reach the room only after the messages queued before it (a <c>left</c>
/// after the leaver's last words, a <c>nick</c> after messages sent under the old name).
/// </summary>
public abstract record WriterItem;

public sealed record PendingMessage(MsgFrame Message, ClientSession Sender, FrameId? Id) : WriterItem;

public sealed record OrderedNotice(Action Deliver) : WriterItem;

/// <summary>The stage a message goes to after the hub: the SQLite <see cref="HistoryWriter"/> or a cluster node's <see cref="Cluster.ClusterWriter"/>.</summary>
public interface IWriterQueue
{
    /// <summary>Queues an item; false once the writer is completed (shutdown).</summary>
    bool TryEnqueue(WriterItem item);
}

/// <summary>The trim timer's turn in the writer's queue; never passed on to <see cref="HistoryWriter.Stored"/>.</summary>
internal sealed record TrimDue : WriterItem
{
    public static readonly TrimDue Instance = new();
}

/// <summary>A batch as it leaves the store, in queue order (notices included); <see cref="Failure"/> is set when its messages could not be stored.</summary>
public sealed record StoredBatch(WriterItem[] Items, Exception? Failure);

/// <summary>
/// The store stage of a message's path (docs/architecture.md): group commit. Messages queue here
/// in seq order, and one loop stores whatever has gathered in a single transaction (one disk sync
/// for a burst), then passes the batch on, in order, to <see cref="Stored"/>, which the hub's
/// fan-out loop reads to broadcast and acknowledge. It never calls back into the hub and never
/// touches a socket. So an <c>ack</c> always means "on disk", and nobody sees a
/// message that a crash could take back. The loop also runs retention between batches, on the
/// same connection: every <see cref="HistoryOptions.TrimInterval"/> a timer queues a
/// <see cref="TrimDue"/> (at most one at a time), so the loop only ever waits on the queue and
/// allocates nothing per batch. Owned by <see cref="ChatHub"/>; its task is awaited at shutdown
/// after the queue is completed, so everything accepted is stored.
/// </summary>
public sealed class HistoryWriter(SqliteHistoryStore store, HistoryOptions options, TimeProvider time, ILogger logger) : IWriterQueue
{
    private const int MaxBatch = 1024;

    private readonly Channel<WriterItem> _queue = Channel.CreateUnbounded<WriterItem>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    private readonly Channel<StoredBatch> _stored = Channel.CreateUnbounded<StoredBatch>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private readonly List<MsgFrame> _messages = new(MaxBatch);
    private int _trimQueued;
    private volatile bool _completed;

    /// <summary>Each batch once stored (or failed), in queue order; completes when the loop ends (faulted if it failed).</summary>
    public ChannelReader<StoredBatch> Stored => _stored.Reader;

    /// <summary>The server's instruments (the time each batch takes to store); null in tests.</summary>
    public ServerMetrics? Metrics { get; set; }

    /// <summary>Tests only: runs before each append (an exception other than a store error here is a fault of the loop).</summary>
    internal Action<IReadOnlyList<MsgFrame>>? BeforeAppend { get; set; }

    /// <summary>Queues an item; false once the writer is completed (shutdown).</summary>
    public bool TryEnqueue(WriterItem item) => _queue.Writer.TryWrite(item);

    /// <summary>No more messages: the loop stores what is queued and ends (without trimming again).</summary>
    public void Complete()
    {
        _completed = true;
        _queue.Writer.TryComplete();
    }

    /// <summary>Stores batches until <see cref="Complete"/> has been called and the queue is empty.</summary>
    public async Task RunAsync()
    {
        try
        {
            await StoreBatchesAsync();
            _stored.Writer.TryComplete();
        }
        catch (Exception ex)
        {
            _stored.Writer.TryComplete(ex);
            throw;
        }
    }

    private async Task StoreBatchesAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<WriterItem>(MaxBatch);
        using var trimTimer = time.CreateTimer(static writer => ((HistoryWriter)writer!).QueueTrim(), this, options.TrimInterval, options.TrimInterval);
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            var trim = false;
            while (batch.Count < MaxBatch && reader.TryRead(out var item))
            {
                if (item is TrimDue)
                {
                    trim = true;
                    continue;
                }
                batch.Add(item);
            }
            if (batch.Count > 0)
            {
                Store(batch);
            }
            if (trim)
            {
                Volatile.Write(ref _trimQueued, 0);
                if (!_completed)
                {
                    Trim();
                }
            }
        }
    }

    /// <summary>From the timer: the loop trims when it reaches this, between two batches (unless one is still queued).</summary>
    private void QueueTrim()
    {
        if (Interlocked.Exchange(ref _trimQueued, 1) == 0 && !_queue.Writer.TryWrite(TrimDue.Instance))
        {
            Volatile.Write(ref _trimQueued, 0);
        }
    }

    private void Store(List<WriterItem> batch)
    {
        _messages.Clear();
        foreach (var item in batch)
        {
            if (item is PendingMessage pending)
            {
                _messages.Add(pending.Message);
            }
        }
        Exception? failure = null;
        try
        {
            if (_messages.Count > 0)
            {
                BeforeAppend?.Invoke(_messages);
                var started = time.GetTimestamp();
                store.Append(_messages);
                Metrics?.HistoryWritten(time.GetElapsedTime(started));
            }
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            HistoryLog.StoreFailed(logger, ex, _messages.Count);
            failure = ex;
        }
        _stored.Writer.TryWrite(new StoredBatch([.. batch], failure));
    }

    /// <summary>Applies retention now (also called at start).</summary>
    public void Trim()
    {
        try
        {
            var removed = store.Trim(options.MaxMessagesPerRoom, options.MaxAge, time.GetUtcNow(), options.MaxTotalMessages);
            if (removed > 0)
            {
                HistoryLog.Trimmed(logger, removed);
            }
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            HistoryLog.StoreFailed(logger, ex, 0);
        }
    }
}

internal static partial class HistoryLog
{
    [LoggerMessage(EventId = 40, Level = LogLevel.Error, Message = "could not store {Count} messages; they were not delivered")]
    public static partial void StoreFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "retention removed {Count} old messages")]
    public static partial void Trimmed(ILogger logger, int count);

    [LoggerMessage(EventId = 42, Level = LogLevel.Information, Message = "history: {Description}")]
    public static partial void Opened(ILogger logger, string description);
}
