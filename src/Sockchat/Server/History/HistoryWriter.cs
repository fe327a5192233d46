using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Sockchat.Protocol;

namespace Sockchat.Server;

/// <summary>A message waiting to be stored: once it is, it is broadcast and its sender acknowledged.</summary>
public sealed record PendingMessage(MsgFrame Message, ClientSession Sender, FrameId? Id);

/// <summary>
/// Group commit: messages queue here in seq order, and one loop stores whatever has gathered
/// in a single transaction (one disk sync for a burst), then hands the batch back, in order, to
/// be broadcast and acknowledged. So an <c>ack</c> always means "on disk", and nobody sees a
/// message that a crash could take back. The loop also runs retention between batches, on the
/// same connection. Owned by <see cref="ChatHub"/>; its task is awaited at shutdown after the
/// queue is completed, so everything accepted is stored.
/// </summary>
public sealed class HistoryWriter(SqliteHistoryStore store, HistoryOptions options, TimeProvider time, ILogger logger)
{
    private const int MaxBatch = 1024;

    private readonly Channel<PendingMessage> _queue = Channel.CreateUnbounded<PendingMessage>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    /// <summary>Called with each stored batch (in seq order), from the writer loop.</summary>
    public Action<IReadOnlyList<PendingMessage>>? Stored { get; set; }

    /// <summary>Called with a batch that could not be stored.</summary>
    public Action<IReadOnlyList<PendingMessage>, Exception>? Failed { get; set; }

    public bool TryEnqueue(PendingMessage message) => _queue.Writer.TryWrite(message);

    /// <summary>No more messages: the loop stores what is queued and ends.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>Stores batches until <see cref="Complete"/> has been called and the queue is empty.</summary>
    public async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingMessage>(MaxBatch);
        using var trimTimer = new PeriodicTimer(options.TrimInterval, time);
        var trimTick = trimTimer.WaitForNextTickAsync().AsTask();
        while (true)
        {
            var waiting = reader.WaitToReadAsync().AsTask();
            while (await Task.WhenAny(waiting, trimTick) == trimTick && !waiting.IsCompleted)
            {
                Trim();
                trimTick = trimTimer.WaitForNextTickAsync().AsTask();
            }
            if (!await waiting)
            {
                return;
            }
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var item))
            {
                batch.Add(item);
            }
            Store(batch);
        }
    }

    private void Store(List<PendingMessage> batch)
    {
        try
        {
            store.Append(batch.ConvertAll(p => p.Message));
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            HistoryLog.StoreFailed(logger, ex, batch.Count);
            Failed?.Invoke(batch, ex);
            return;
        }
        Stored?.Invoke(batch);
    }

    /// <summary>Applies retention now (also called at start).</summary>
    public void Trim()
    {
        try
        {
            var removed = store.Trim(options.MaxMessagesPerRoom, options.MaxAge, time.GetUtcNow());
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
