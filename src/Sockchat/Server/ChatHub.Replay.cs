using Sockchat.Protocol;

namespace Sockchat.Server;

public sealed partial class ChatHub
{
    /// <summary>
    /// A replay to one joiner: the room's messages after <paramref name="After"/> up to
    /// <paramref name="UpTo"/> (the last delivered when it joined; later ones are held for it as
    /// live traffic). <paramref name="Since"/> is the client's own seq when it asked (a reconnect), for
    /// the gap check; <paramref name="Count"/> how many the text dialect's header announces (null: unknown).
    /// </summary>
    private sealed record Replay(string Room, long After, long UpTo, long? Since, int? Count);

    private int _activeReplays;

    /// <summary>How many messages a joiner is replayed: never more than retention keeps per room.</summary>
    private int ReplayCount => _options.History.MaxMessagesPerRoom > 0
        ? Math.Min(_options.HistoryReplay, _options.History.MaxMessagesPerRoom)
        : _options.HistoryReplay;

    /// <summary>Replies from history in progress: replays streaming, and history pages waiting for their client to read the last.</summary>
    internal int ActiveReplays => Volatile.Read(ref _activeReplays);

    /// <summary>
    /// What a joiner should be replayed: everything after <paramref name="since"/> (a reconnect),
    /// else the last few messages. Null when there is nothing to replay. When only the store knows
    /// where "the last few" begin, <paramref name="needsStart"/> is true and
    /// <see cref="StreamReplayAsync"/> asks it, outside the lock. Call with the lock held.
    /// </summary>
    private Replay? PlanReplayLocked(Room room, long? since, out bool needsStart)
    {
        needsStart = false;
        // What the store still has past retention's per-room bound goes at the next trim: never replayed.
        var keptAfter = _options.History.MaxMessagesPerRoom > 0 ? room.LastDeliveredSeq - _options.History.MaxMessagesPerRoom : 0;
        if (since is { } seen)
        {
            return seen < room.LastDeliveredSeq
                ? new Replay(room.Name, Math.Max(Math.Max(0, seen), keptAfter), room.LastDeliveredSeq, seen, null)
                : null;
        }
        if (ReplayCount <= 0 || room.LastDeliveredSeq == 0)
        {
            return null;
        }
        if (room.StartOfLastCached(ReplayCount, RetentionCutoff) is not { } start)
        {
            needsStart = true;
            return new Replay(room.Name, 0, room.LastDeliveredSeq, null, null);
        }
        return start.Count == 0 ? null : new Replay(room.Name, start.After, room.LastDeliveredSeq, null, start.Count);
    }

    /// <summary>
    /// Sends a small replay at once when the cache holds all of it and the client's queue has room;
    /// true when done. Otherwise nothing is sent, and <see cref="StreamReplayAsync"/> must follow.
    /// Call with the lock held.
    /// </summary>
    private bool TryReplayAtOnceLocked(ClientSession session, Room room, Replay replay)
    {
        if (replay.Count is { } count && count <= ReplayLimits.PageMessages && session.QueuedBytes <= ReplayLimits.LowWaterBytes
            && room.CachedPage(replay.After, replay.UpTo, ReplayLimits.PageMessages, ReplayLimits.PageBytes, RetentionCutoff) is { } page
            && page.Count == count)
        {
            if (session.Dialect == Dialect.Text)
            {
                session.DeliverReplayFrame(Frame(new HistoryReplyFrame(room.Name, page)));
            }
            else
            {
                session.DeliverReplayPage(page, _renderer);
            }
            return true;
        }
        return false;
    }

    /// <summary>
    /// Streams a replay page by page, each only once the client's queue has drained below
    /// <see cref="ReplayLimits.LowWaterBytes"/>, so it goes at the pace the client reads and the
    /// server holds about one page for it however long the history. Then releases the live traffic
    /// held meanwhile, which follows in seq order. Runs on the session's read loop, which reads
    /// nothing else meanwhile: one replay per client at a time.
    /// </summary>
    private async Task StreamReplayAsync(ClientSession session, Replay replay, bool needsStart, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _activeReplays);
        var text = session.Dialect == Dialect.Text;
        var headerSent = false;
        try
        {
            if (needsStart)
            {
                var (after, count) = await _store.StartOfLastAsync(replay.Room, ReplayCount, replay.UpTo, RetentionCutoff, cancellationToken);
                if (count == 0)
                {
                    return;
                }
                replay = replay with { After = after, Count = count };
            }
            var next = replay.After;
            var first = true;
            while (next < replay.UpTo)
            {
                await session.WaitForQueueBelowAsync(ReplayLimits.LowWaterBytes, cancellationToken);
                List<MsgFrame>? page;
                lock (_gate)
                {
                    page = _rooms.TryGetValue(replay.Room, out var room)
                        ? room.CachedPage(next, replay.UpTo, ReplayLimits.PageMessages, ReplayLimits.PageBytes, RetentionCutoff)
                        : null;
                }
                page ??= await _store.QueryAsync(replay.Room, before: null, next, ReplayLimits.PageMessages, replay.UpTo, cancellationToken,
                    ReplayLimits.PageBytes, RetentionCutoff);
                lock (_gate)
                {
                    if (first && replay.Since is { } since)
                    {
                        // Retention removed what came right after the client's seq: say so before the rest.
                        var firstKept = page.Count > 0 ? page[0].Seq : replay.UpTo + 1;
                        if (firstKept > since + 1)
                        {
                            session.DeliverReplayFrame(Frame(new GapFrame(replay.Room, since + 1, firstKept - 1)));
                        }
                    }
                    first = false;
                    if (page.Count > 0 && text && !headerSent)
                    {
                        headerSent = true;
                        var header = replay.Count is { } n ? $"* last {n} messages in #{replay.Room}:" : $"* messages you missed in #{replay.Room}:";
                        session.DeliverReplayFrame(Frame(new NoticeFrame(header)));
                    }
                    session.DeliverReplayPage(page, _renderer);
                }
                if (page.Count == 0)
                {
                    break;
                }
                next = page[^1].Seq;
            }
        }
        finally
        {
            lock (_gate)
            {
                if (headerSent)
                {
                    session.DeliverReplayFrame(Frame(new NoticeFrame("* end of history")));
                }
                session.ReleaseDeliveries();
            }
            Interlocked.Decrement(ref _activeReplays);
        }
    }
}
