using Sockchat.Protocol;

namespace Sockchat.Server;

public sealed partial class ChatHub
{
    /// <summary>
    /// Posts a message to a room, the hub stage of its path (docs/architecture.md): checked, given
    /// the room's next seq and queued to the <see cref="HistoryWriter"/> under the lock; once stored,
    /// <see cref="Publish"/> sends it to every member (the sender too) and acks the sender if it asked.
    /// </summary>
    public void Say(ClientSession session, SayFrame say)
    {
        if (string.IsNullOrWhiteSpace(say.Text))
        {
            DeliverTo(session, new ErrorFrame(ErrorCodes.BadFrame, "empty message", say.Id));
            return;
        }
        lock (_gate)
        {
            if (ResolveRoomLocked(session, say.Room, say.Id, mustBeMember: session.Presence, create: true) is not { } room)
            {
                return;
            }
            // Seq is given and the message queued under the lock, so the store sees each room in seq order.
            // In a cluster PostgreSQL gives the seq, in the writer's transaction (ChatHub.Cluster.cs).
            var message = new MsgFrame(room.Name, _cluster is null ? room.NextSeq() : 0, Now, session.Name!, say.Text, say.Action);
            if (!_writer.TryEnqueue(new PendingMessage(message, session, say.Id)))
            {
                session.Deliver(Frame(new ErrorFrame(ErrorCodes.ServerError, "the server is shutting down; message not sent", say.Id)));
                return;
            }
            Metrics?.MessageReceived(direct: false);
        }
    }

    /// <summary>
    /// The fan-out stage: reads each batch the <see cref="HistoryWriter"/> stored and publishes it.
    /// Ends when the writer's loop ends (at shutdown, once everything accepted was stored); faults
    /// if it faulted. Owned and awaited by <see cref="ChatServer"/>.
    /// </summary>
    public async Task RunFanoutAsync()
    {
        if (_cluster is not null)
        {
            await RunClusterFanoutAsync(_cluster);
            return;
        }
        await foreach (var batch in _sqliteWriter!.Stored.ReadAllAsync())
        {
            Publish(batch);
        }
    }

    /// <summary>
    /// Under the lock, in order: each stored message to every member of its room (encoded once for
    /// all), the sender's ack, and the notices queued behind them; for a failed batch, an error to
    /// each sender instead. Only queues (the write loops do the writing), so it never waits on a client.
    /// </summary>
    private void Publish(StoredBatch batch)
    {
        lock (_gate)
        {
            foreach (var item in batch.Items)
            {
                switch (item)
                {
                    case PendingMessage(var message, var sender, var id) when batch.Failure is null:
                        var room = _rooms[message.Room];
                        if (room.IsPendingJoiner(sender))
                        {
                            // Everyone hears of a joiner before they read its first message (ChatHub.Presence.cs).
                            FlushPresenceLocked(room);
                        }
                        room.Delivered(message);
                        room.Broadcast(Frame(message));
                        Metrics?.MessagesDelivered(room.MemberCount);
                        if (id is { } ackId)
                        {
                            sender.Deliver(Frame(new AckFrame(ackId, message.Seq)));
                        }
                        break;
                    case PendingMessage(_, var sender, var id):
                        sender.Deliver(Frame(new ErrorFrame(ErrorCodes.ServerError, "the server could not store the message; it was not sent", id)));
                        break;
                    case OrderedNotice notice:
                        notice.Deliver();
                        break;
                }
            }
        }
    }

    /// <summary>
    /// Delivers a notice after every message queued before it (run under the lock, later, by
    /// <see cref="Publish"/>; at once when the writer has stopped). Call with the lock held.
    /// </summary>
    private void AfterQueuedMessagesLocked(Action deliver)
    {
        if (!_writer.TryEnqueue(new OrderedNotice(deliver)))
        {
            deliver();
        }
    }

    /// <summary>A private message from a session's read loop: to a user here at once, in a cluster to a user on another node through its node (ChatHub.Cluster.cs).</summary>
    public async Task DirectMessageAsync(ClientSession session, DmFrame dm, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_cluster is null || string.IsNullOrWhiteSpace(dm.Text) || FindPresent(dm.To) is not null)
            {
                DirectMessage(session, dm);
                return;
            }
        }
        await DirectMessageAcrossAsync(_cluster, session, dm, cancellationToken);
    }

    /// <summary>A private message: to its target and echoed to the sender. Private messages are not stored.</summary>
    public void DirectMessage(ClientSession session, DmFrame dm)
    {
        if (string.IsNullOrWhiteSpace(dm.Text))
        {
            DeliverTo(session, new ErrorFrame(ErrorCodes.BadFrame, "empty message", dm.Id));
            return;
        }
        lock (_gate)
        {
            if (FindPresent(dm.To) is not { } target)
            {
                session.Deliver(Frame(new ErrorFrame(ErrorCodes.NoSuchUser, $"no user named '{TextSanitizer.Clean(dm.To)}' is here", dm.Id)));
                return;
            }
            var frame = Frame(new DmMessageFrame(Now, session.Name!, target.Name!, dm.Text));
            Metrics?.MessageReceived(direct: true);
            Metrics?.MessagesDelivered(1);
            target.Deliver(frame);
            if (target != session)
            {
                session.Deliver(frame);
            }
            if (dm.Id is { } id)
            {
                session.Deliver(Frame(new AckFrame(id, null)));
            }
        }
    }

    /// <summary>
    /// Answers a history request from the store (read outside the lock): at most
    /// <see cref="ReplayLimits.MaxHistoryLimit"/> messages and about <see cref="ReplayLimits.PageBytes"/>,
    /// read only once the client's queue has drained (so a client asking again and again without
    /// reading holds one page at most). A room that does not exist has no history and is not created.
    /// </summary>
    public async Task HistoryAsync(ClientSession session, HistoryFrame request, CancellationToken cancellationToken)
    {
        var limit = Math.Clamp(request.Limit ?? _options.HistoryReplay, 1, ReplayLimits.MaxHistoryLimit);
        string roomName;
        long upTo;
        lock (_gate)
        {
            if (ResolveRoomLocked(session, request.Room, null, mustBeMember: false, create: false) is not { } room)
            {
                return;
            }
            roomName = room.Name;
            upTo = room.LastDeliveredSeq;
        }
        Interlocked.Increment(ref _activeReplays);
        try
        {
            await session.WaitForQueueBelowAsync(ReplayLimits.LowWaterBytes, cancellationToken);
            var messages = upTo == 0 ? [] : await _store.QueryAsync(roomName, request.Before, request.After, limit, upTo, cancellationToken,
                ReplayLimits.PageBytes, RetentionCutoff);
            DeliverTo(session, new HistoryReplyFrame(roomName, messages));
        }
        finally
        {
            Interlocked.Decrement(ref _activeReplays);
        }
    }

    /// <summary>
    /// The room a request is about: the named one (normalized), else the session's current room.
    /// Answers the error itself and returns null when there is none.
    /// </summary>
    /// <param name="create">Create the room if need be (a post); otherwise a room that does not exist
    /// resolves to a throwaway empty one that the hub does not keep (a read).</param>
    private Room? ResolveRoomLocked(ClientSession session, string? wanted, FrameId? id, bool mustBeMember, bool create)
    {
        if (wanted is null)
        {
            if (session.CurrentRoom is { } current)
            {
                return current;
            }
            if (!session.Presence)
            {
                return _rooms[ProtocolLimits.DefaultRoom];
            }
            session.Deliver(Frame(new ErrorFrame(ErrorCodes.NotInRoom, "you are in no room; /join one first", id)));
            return null;
        }
        if (!Names.TryNormalizeRoom(wanted, out var name, out var problem))
        {
            session.Deliver(Frame(new ErrorFrame(ErrorCodes.NoSuchRoom, problem, id)));
            return null;
        }
        if (mustBeMember)
        {
            if (!_rooms.TryGetValue(name, out var joined) || !joined.Contains(session))
            {
                session.Deliver(Frame(new ErrorFrame(ErrorCodes.NotInRoom, $"you are not in #{name}; /join {name} first", id)));
                return null;
            }
            return joined;
        }
        if (_rooms.TryGetValue(name, out var existing))
        {
            return existing;
        }
        if (!create)
        {
            return new Room(name, 0);
        }
        return TryCreateRoomLocked(session, name, id, out var created) ? created : null;
    }
}
