using Sockchat.Protocol;
using Sockchat.Server.Cluster;

namespace Sockchat.Server;

/// <summary>
/// Cluster mode (issue 11, docs/cluster.md). PostgreSQL, not the hub, gives each message its
/// seq (in the <see cref="ClusterWriter"/>'s transaction), and every message reaches this node's
/// members through one per-room cursor: <see cref="Room.LastDeliveredSeq"/> for messages and
/// <see cref="Room.LastEvent"/> for the joined/left/nick events of other nodes. The fan-out loop
/// (<see cref="RunClusterFanoutAsync"/>) is the only thing that moves a cursor; it advances it
/// from this node's own stored batches (held in memory, no read needed when the next seq is
/// theirs) and from notifications (reading <c>seq &gt; cursor</c> in bounded pages), so each
/// member sees each seq once, in order, with no gap, whichever node posted it. Acks wait until the
/// cursor passes their message. Names are claimed in the cluster's <c>users</c> table;
/// <c>who</c>, <c>rooms</c> and DMs look at the other nodes through it and <c>members</c>.
/// </summary>
public sealed partial class ChatHub
{
    /// <summary>Queues a change for the other nodes behind what was queued before (nothing without a cluster). Call with the lock held.</summary>
    private void ShareLocked(RoomEvent change)
    {
        if (_cluster is not null)
        {
            _writer.TryEnqueue(new SharedEvent(change));
        }
    }

    private void ShareLocked(NameReleased released)
    {
        if (_cluster is not null)
        {
            _writer.TryEnqueue(released);
        }
    }

    /// <summary>
    /// Before a join in a cluster: waits (bounded) until this node delivered everything PostgreSQL
    /// held for the room when asked. Otherwise the node could still be behind the seq a
    /// reconnecting client names in <c>since</c>, and would send it again as live traffic.
    /// </summary>
    private async Task SettleRoomAsync(string room, CancellationToken cancellationToken)
    {
        if (_cluster is null)
        {
            return;
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_cluster.Post(new Settle(room, done)))
        {
            try
            {
                await done.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            }
            catch (TimeoutException)
            {
                // PostgreSQL is slow or gone: join anyway; the replay is read from what it has.
            }
        }
    }

    /// <summary>The cluster's answer to a name: a present user claims it everywhere; a posting-only one may use it unless a present user holds it.</summary>
    private async Task<ErrorFrame?> ClaimInClusterAsync(string nick, string key, bool presence, CancellationToken cancellationToken)
    {
        var taken = new ErrorFrame(ErrorCodes.NameTaken, $"the name '{nick}' is in use; choose another");
        lock (_gate)
        {
            if (_present.ContainsKey(key))
            {
                return taken;
            }
        }
        try
        {
            var free = presence
                ? await _cluster!.Store.TryClaimNameAsync(key, nick, cancellationToken)
                : await _cluster!.Store.FindUserAsync(key, cancellationToken) is null;
            return free ? null : taken;
        }
        catch (Exception ex) when (ClusterStore.IsDatabaseFailure(ex))
        {
            Cluster.ClusterLog.Unreachable(_logger, "a name", ex.Message);
            return new ErrorFrame(ErrorCodes.ServerError, "the server cannot reach its cluster database; try again in a moment");
        }
    }

    private async Task ReleaseClaimAsync(string key)
    {
        try
        {
            await _cluster!.Store.ReleaseNameAsync(key, CancellationToken.None);
        }
        catch (Exception ex) when (ClusterStore.IsDatabaseFailure(ex))
        {
            // The lease releases it when this node goes; until then the name stays taken.
            Cluster.ClusterLog.Unreachable(_logger, "releasing a name", ex.Message);
        }
    }

    /// <summary>Changes a nickname; in a cluster the new name is claimed everywhere first.</summary>
    public async Task NickAsync(ClientSession session, NickFrame nick, CancellationToken cancellationToken)
    {
        if (_cluster is null || !Names.TryNormalizeNick(nick.Name, out var wanted, out _) || session.Name is null
            || Names.NickKey(wanted) == Names.NickKey(session.Name))
        {
            Nick(session, nick);
            return;
        }
        var key = Names.NickKey(wanted);
        if (await ClaimInClusterAsync(wanted, key, session.Presence, cancellationToken) is { } refused)
        {
            DeliverTo(session, refused);
            return;
        }
        Nick(session, nick);
        if (session.Presence && session.Name != wanted)
        {
            await ReleaseClaimAsync(key);
        }
    }

    /// <summary>A DM to a user on another node: stored in that node's DM stream and announced on its channel; echoed and acked here once stored.</summary>
    private async Task DirectMessageAcrossAsync(ClusterNode cluster, ClientSession session, DmFrame dm, CancellationToken cancellationToken)
    {
        try
        {
            if (await cluster.Store.FindUserAsync(Names.NickKey(dm.To), cancellationToken) is not var (name, node) || node == cluster.Store.NodeId)
            {
                DeliverTo(session, new ErrorFrame(ErrorCodes.NoSuchUser, $"no user named '{TextSanitizer.Clean(dm.To)}' is here", dm.Id));
                return;
            }
            var frame = new DmMessageFrame(Now, session.Name!, name, dm.Text);
            await cluster.Store.SendDmAsync(node, frame, cancellationToken);
            Metrics?.MessageReceived(direct: true);
            var echo = Frame(frame);
            lock (_gate)
            {
                session.Deliver(echo);
                if (dm.Id is { } id)
                {
                    session.Deliver(Frame(new AckFrame(id, null)));
                }
            }
        }
        catch (Exception ex) when (ClusterStore.IsDatabaseFailure(ex))
        {
            Cluster.ClusterLog.Unreachable(_logger, "a private message", ex.Message);
            DeliverTo(session, new ErrorFrame(ErrorCodes.ServerError, "the server cannot reach its cluster database; the message was not sent", dm.Id));
        }
    }

    /// <summary>Lists a room's members; in a cluster those on every node.</summary>
    public async Task WhoAsync(ClientSession session, WhoFrame who, CancellationToken cancellationToken)
    {
        string? roomName;
        lock (_gate)
        {
            roomName = who.Room is null ? session.CurrentRoom?.Name : Names.TryNormalizeRoom(who.Room, out var n, out _) ? n : null;
        }
        if (_cluster is null || roomName is null)
        {
            Who(session, who);
            return;
        }
        List<string> others;
        try
        {
            others = await _cluster.Store.OtherMembersAsync(roomName, cancellationToken);
        }
        catch (Exception ex) when (ClusterStore.IsDatabaseFailure(ex))
        {
            Cluster.ClusterLog.Unreachable(_logger, "who", ex.Message);
            others = [];
        }
        lock (_gate)
        {
            var names = _rooms.TryGetValue(roomName, out var room) ? room.Members.Select(m => m.Name!).ToList() : [];
            names.AddRange(others);
            if (names.Count == 0 && roomName != ProtocolLimits.DefaultRoom)
            {
                session.Deliver(Frame(new ErrorFrame(ErrorCodes.NoSuchRoom, $"nobody is in #{roomName}")));
                return;
            }
            names = names.DistinctBy(Names.NickKey).Order(StringComparer.OrdinalIgnoreCase).ToList();
            session.Deliver(Frame(new WhoReplyFrame(roomName, names)));
        }
    }

    /// <summary>Lists the rooms with members (on every node, in a cluster), and always #general.</summary>
    public async Task ListRoomsAsync(ClientSession session, CancellationToken cancellationToken)
    {
        if (_cluster is null)
        {
            ListRooms(session);
            return;
        }
        Dictionary<string, int> counts;
        try
        {
            counts = await _cluster.Store.OtherRoomCountsAsync(cancellationToken);
        }
        catch (Exception ex) when (ClusterStore.IsDatabaseFailure(ex))
        {
            Cluster.ClusterLog.Unreachable(_logger, "rooms", ex.Message);
            counts = [];
        }
        lock (_gate)
        {
            foreach (var room in _rooms.Values)
            {
                counts[room.Name] = counts.GetValueOrDefault(room.Name) + room.MemberCount;
            }
            counts.TryAdd(ProtocolLimits.DefaultRoom, 0);
            var rooms = counts.Where(c => c.Value > 0 || c.Key == ProtocolLimits.DefaultRoom)
                .OrderBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => new RoomInfo(c.Key, c.Value))
                .ToList();
            session.Deliver(Frame(new RoomsReplyFrame(rooms)));
        }
    }

    /// <summary>
    /// The cluster's fan-out loop: this node's stored batches, other nodes' notifications, the
    /// safety-net resyncs and DMs, one at a time, in arrival order, but for one thing: this node's
    /// own batch is published where its notification stands among the other nodes' commits (commit
    /// order). When that notification comes first (its batch is on its way from the writer), the
    /// work behind it waits for the batch; when the batch comes first, it goes at once. Either way
    /// a room's cursor is where the next commit starts, so nothing is read back. Ends when the
    /// node's work queue completes (after the writer stored everything, at shutdown).
    /// </summary>
    private async Task RunClusterFanoutAsync(ClusterNode cluster)
    {
        var held = new Queue<FanoutWork>();
        var work = cluster.Work;
        while (true)
        {
            if (_awaitedCommit is { } awaited && _time.GetElapsedTime(_awaitedSince) >= OwnBatchWait)
            {
                // The batch is late (its commit's reply is): go on without it. Its commit is read, and the
                // batch, when it comes, only acknowledges.
                _awaitedCommit = null;
                await AdvancePastOwnAsync(cluster, awaited);
            }
            while (_awaitedCommit is null && held.TryDequeue(out var next))
            {
                await DoClusterWorkAsync(cluster, next);
            }
            if (!work.TryRead(out var item))
            {
                if (!await WaitForWorkAsync(work))
                {
                    break;
                }
                continue;
            }
            if (_awaitedCommit is not null && item is not LocalBatch)
            {
                held.Enqueue(item);
                continue;
            }
            await DoClusterWorkAsync(cluster, item);
        }
        _awaitedCommit = null;
        while (held.TryDequeue(out var rest))
        {
            await DoClusterWorkAsync(cluster, rest);
        }
    }

    /// <summary>Waits for more work; while holding for a batch, no longer than the rest of <see cref="OwnBatchWait"/>. False once the queue has ended.</summary>
    private async Task<bool> WaitForWorkAsync(System.Threading.Channels.ChannelReader<FanoutWork> work)
    {
        if (_awaitedCommit is null)
        {
            return await work.WaitToReadAsync();
        }
        var left = OwnBatchWait - _time.GetElapsedTime(_awaitedSince);
        if (left <= TimeSpan.Zero)
        {
            return true;
        }
        using var limit = new CancellationTokenSource(left, _time);
        try
        {
            return await work.WaitToReadAsync(limit.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            return true;
        }
    }

    /// <summary>
    /// How long the fan-out holds other work behind its own commit's notification for the commit's
    /// batch, which is normally a moment behind; longer means the commit's reply to the writer is
    /// late (a slow or cut connection), and the fan-out goes on without it.
    /// </summary>
    internal static readonly TimeSpan OwnBatchWait = TimeSpan.FromSeconds(2);

    /// <summary>The notification of this node's commit whose batch the fan-out waits for, and since when (the fan-out loop's alone).</summary>
    private OwnCommit? _awaitedCommit;

    private long _awaitedSince;

    /// <summary>The number of the last of this node's batches published (the fan-out loop's alone).</summary>
    private long _publishedCommit;

    private async Task DoClusterWorkAsync(ClusterNode cluster, FanoutWork work)
    {
        switch (work)
        {
            case LocalBatch(var batch, var commit):
                await PublishClusterAsync(cluster, batch);
                _publishedCommit = commit;
                if (_awaitedCommit is { } awaited && awaited.Commit <= commit)
                {
                    _awaitedCommit = null;
                    await DoClusterWorkAsync(cluster, awaited);
                }
                break;
            case OwnCommit own when own.Commit > _publishedCommit:
                _awaitedCommit = own;
                _awaitedSince = _time.GetTimestamp();
                break;
            case OwnCommit own:
                await AdvancePastOwnAsync(cluster, own);
                break;
            case RoomAdvanced advanced:
                await CatchUpAsync(cluster, advanced.Room, advanced.Seq, advanced.Event);
                break;
            case RoomChunk chunk:
                await ApplyChunkAsync(cluster, chunk);
                break;
            case Resync:
                await ResyncAsync(cluster);
                break;
            case RemoteDm(var n, var dm):
                await DeliverRemoteDmAsync(cluster, n, dm);
                break;
            case Settle(var room, var done):
                try
                {
                    var (seq, ev) = await cluster.Store.RoomPositionAsync(room, CancellationToken.None);
                    await CatchUpAsync(cluster, room, seq, ev);
                }
                catch (Exception ex) when (ClusterStore.IsDatabaseFailure(ex))
                {
                    Cluster.ClusterLog.ReadFailed(_logger, room, ex.Message);
                }
                done.TrySetResult();
                break;
        }
    }

    /// <summary>
    /// The cursors past this node's own commit: where they stand already once its batch is
    /// published, unless the batch failed while the commit went through or is late (then this
    /// reads what it stored).
    /// </summary>
    private async Task AdvancePastOwnAsync(ClusterNode cluster, OwnCommit own)
    {
        foreach (var section in own.Sections)
        {
            if (section is RoomChunk chunk)
            {
                PassOwnEvents(chunk);
                await CatchUpAsync(cluster, chunk.Room, chunk.ToSeq, chunk.ToEv);
            }
            else if (section is RoomAdvanced advanced)
            {
                await CatchUpAsync(cluster, advanced.Room, advanced.Seq, advanced.Event);
            }
        }
    }

    /// <summary>
    /// The event cursor of a room past this node's own section of it, when it stands at its start:
    /// the events in it are this node's users', shown here already, so there is nothing to read.
    /// </summary>
    private void PassOwnEvents(RoomChunk own)
    {
        lock (_gate)
        {
            if (_rooms.TryGetValue(own.Room, out var room) && room.LastEvent == own.FromEv && room.LastDeliveredSeq >= own.FromSeq)
            {
                room.LastEvent = own.ToEv;
            }
        }
    }

    private async Task ResyncAsync(ClusterNode cluster)
    {
        List<(string Room, long Seq, long Event)> rooms;
        long dms;
        try
        {
            rooms = await cluster.Store.LoadRoomsAsync(CancellationToken.None);
            dms = await cluster.Store.DmPositionAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ClusterStore.IsDatabaseFailure(ex))
        {
            Cluster.ClusterLog.ReadFailed(_logger, "*", ex.Message);
            return;
        }
        await CatchUpDmsAsync(cluster, dms);
        foreach (var (room, seq, ev) in rooms)
        {
            await CatchUpAsync(cluster, room, seq, ev);
        }
    }

    /// <summary>The last number of this node's DM stream delivered (the fan-out loop's alone).</summary>
    private long _dmCursor;

    /// <summary>DM number <paramref name="n"/>: delivered from the notification when it is the next one, else read with any missed before it.</summary>
    private async Task DeliverRemoteDmAsync(ClusterNode cluster, long n, DmMessageFrame? dm)
    {
        if (n <= _dmCursor)
        {
            return;
        }
        if (n == _dmCursor + 1 && dm is not null)
        {
            DeliverRemoteDm(dm);
            _dmCursor = n;
            return;
        }
        await CatchUpDmsAsync(cluster, n);
    }

    /// <summary>Reads and delivers this node's DMs after the cursor up to <paramref name="upTo"/>, a bounded page at a time; a failed read is retried by the next poll.</summary>
    private async Task CatchUpDmsAsync(ClusterNode cluster, long upTo)
    {
        for (var page = 0; page < 10_000 && _dmCursor < upTo; page++)
        {
            List<(long N, DmMessageFrame Dm)> dms;
            try
            {
                dms = await cluster.Store.ReadDmsAsync(_dmCursor, upTo, CancellationToken.None);
            }
            catch (Exception ex) when (ClusterStore.IsDatabaseFailure(ex))
            {
                Cluster.ClusterLog.ReadFailed(_logger, "(private messages)", ex.Message);
                return;
            }
            if (dms.Count == 0)
            {
                // Removed by retention (over an hour old): nothing left to deliver below upTo.
                _dmCursor = upTo;
                return;
            }
            foreach (var (number, message) in dms)
            {
                DeliverRemoteDm(message);
                _dmCursor = number;
            }
        }
    }

    private void DeliverRemoteDm(DmMessageFrame dm)
    {
        lock (_gate)
        {
            if (FindPresent(dm.To) is { } target)
            {
                Metrics?.MessagesDelivered(1);
                target.Deliver(Frame(dm));
            }
        }
    }

    /// <summary>A batch this node stored: each message delivered in its place in the room's stream (after any gap is read), acks once delivered, notices after.</summary>
    private async Task PublishClusterAsync(ClusterNode cluster, StoredBatch batch)
    {
        if (batch.Failure is not null)
        {
            Publish(batch);
            return;
        }
        var items = batch.Items;
        var next = 0;
        while (next < items.Length)
        {
            StoredMessage? behind = null;
            lock (_gate)
            {
                // All that needs no read, under one hold of the lock, as Publish does: the readers wait for
                // the lock once, and each write loop wakes to the lot.
                for (; next < items.Length; next++)
                {
                    if (items[next] is StoredMessage { Duplicate: false } stored && IsBehindLocked(stored.Message))
                    {
                        behind = stored;
                        break;
                    }
                    PublishLocked(items[next]);
                }
            }
            if (behind is not null)
            {
                // Messages of other nodes came first: read them before this one.
                await CatchUpAsync(cluster, behind.Message.Room, behind.Message.Seq - 1, long.MaxValue);
                lock (_gate)
                {
                    PublishLocked(behind);
                }
                next++;
            }
        }
    }

    /// <summary>True when messages of other nodes come before this one and have not been delivered here yet.</summary>
    private bool IsBehindLocked(MsgFrame message) =>
        message.Seq > (_rooms.TryGetValue(message.Room, out var known) ? known.LastDeliveredSeq : 0) + 1;

    private void PublishLocked(WriterItem item)
    {
        switch (item)
        {
            case StoredMessage { Duplicate: true } resend:
                // Stored before (the ack was lost): the original seq, stored nothing twice.
                if (resend.Id is { } resendId)
                {
                    resend.Sender.Deliver(Frame(new AckFrame(resendId, resend.Message.Seq)));
                }
                break;
            case StoredMessage stored:
                var message = stored.Message;
                if (!_rooms.TryGetValue(message.Room, out var room))
                {
                    room = NewRoom(message.Room);
                    _rooms[message.Room] = room;
                }
                if (room.LastDeliveredSeq + 1 == message.Seq)
                {
                    DeliverMessageLocked(room, message, stored.Sender);
                }
                if (stored.Id is { } id)
                {
                    // Acked when the room's delivery reaches it: now, or after the next read (if the gap could not be read).
                    room.PendingAcks.Add((message.Seq, stored.Sender, id));
                }
                FlushAcksLocked(room);
                break;
            case OrderedNotice notice:
                notice.Deliver();
                break;
        }
    }

    private void DeliverMessageLocked(Room room, MsgFrame message, ClientSession? sender = null)
    {
        if (sender is not null ? room.IsPendingJoiner(sender) : room.IsPendingRemoteJoiner(message.From))
        {
            FlushPresenceLocked(room);
        }
        room.Delivered(message);
        room.Broadcast(Frame(message));
        Metrics?.MessagesDelivered(room.MemberCount);
    }

    private void FlushAcksLocked(Room room)
    {
        if (room.PendingAcks.Count == 0)
        {
            return;
        }
        room.PendingAcks.RemoveAll(ack =>
        {
            if (ack.Seq > room.LastDeliveredSeq)
            {
                return false;
            }
            ack.Sender.Deliver(Frame(new AckFrame(ack.Id, ack.Seq)));
            return true;
        });
    }

    /// <summary>
    /// Moves a room's cursors up to <paramref name="toSeq"/> and <paramref name="toEvent"/>: reads
    /// the messages after the cursor and the events positioned among them, a bounded page at a
    /// time, and delivers them interleaved in stream order. A room nobody here is in only moves
    /// (nothing to read). A failed read leaves the cursor where it was; the next notification or
    /// poll goes on from there, so nothing is skipped.
    /// </summary>
    private async Task CatchUpAsync(ClusterNode cluster, string roomName, long toSeq, long toEvent)
    {
        for (var page = 0; page < 100_000; page++)
        {
            long seqCursor, eventCursor;
            lock (_gate)
            {
                if (!_rooms.TryGetValue(roomName, out var room))
                {
                    room = NewRoom(roomName, toSeq);
                    room.LastEvent = toEvent == long.MaxValue ? 0 : toEvent;
                    _rooms[roomName] = room;
                    return;
                }
                if (room.MemberCount == 0)
                {
                    room.SkipTo(toSeq);
                    room.LastEvent = Math.Max(room.LastEvent, toEvent == long.MaxValue ? 0 : toEvent);
                    FlushAcksLocked(room);
                    return;
                }
                (seqCursor, eventCursor) = (room.LastDeliveredSeq, room.LastEvent);
            }
            if (seqCursor >= toSeq && eventCursor >= toEvent)
            {
                return;
            }
            List<MsgFrame> messages;
            List<StoredEvent> events;
            Metrics?.StreamRead();
            try
            {
                messages = seqCursor < toSeq ? await cluster.Store.ReadLiveAsync(roomName, seqCursor, toSeq, CancellationToken.None) : [];
                var reached = messages.Count > 0 ? messages[^1].Seq : seqCursor;
                // Events after the last message read belong to the next page, unless every message was read.
                var eventsUpTo = reached >= toSeq ? toSeq : reached;
                events = eventCursor < toEvent ? await cluster.Store.ReadEventsAsync(roomName, eventCursor, toEvent, eventsUpTo, CancellationToken.None) : [];
            }
            catch (Exception ex) when (ClusterStore.IsDatabaseFailure(ex))
            {
                Cluster.ClusterLog.ReadFailed(_logger, roomName, ex.Message);
                return;
            }
            if (messages.Count == 0 && events.Count == 0)
            {
                return;
            }
            lock (_gate)
            {
                var room = _rooms[roomName];
                var e = 0;
                foreach (var message in messages)
                {
                    for (; e < events.Count && events[e].AfterSeq < message.Seq; e++)
                    {
                        DeliverEventLocked(cluster, room, events[e]);
                    }
                    if (message.Seq == room.LastDeliveredSeq + 1)
                    {
                        DeliverMessageLocked(room, message);
                    }
                }
                for (; e < events.Count; e++)
                {
                    DeliverEventLocked(cluster, room, events[e]);
                }
                FlushAcksLocked(room);
            }
        }
    }

    /// <summary>
    /// Another node's commit, carried in its notification: delivered from the payload when this
    /// node's cursors stand at or inside it (the common case: no read), after a read of what comes
    /// before it when they are behind (a notification missed, a pointer for a long message), and
    /// not at all when they are past it. A room nobody here is in only moves its cursors.
    /// </summary>
    private async Task ApplyChunkAsync(ClusterNode cluster, RoomChunk chunk)
    {
        bool behind;
        lock (_gate)
        {
            behind = _rooms.TryGetValue(chunk.Room, out var known) && known.MemberCount > 0
                && (known.LastDeliveredSeq < chunk.FromSeq || known.LastEvent < chunk.FromEv);
        }
        if (behind)
        {
            await CatchUpAsync(cluster, chunk.Room, chunk.FromSeq, chunk.FromEv);
        }
        lock (_gate)
        {
            if (_rooms.TryGetValue(chunk.Room, out var room) && room.MemberCount > 0)
            {
                if (room.LastDeliveredSeq < chunk.FromSeq || room.LastEvent < chunk.FromEv)
                {
                    // The read before it failed: the next notification or poll reads from where the cursor is.
                    return;
                }
                foreach (var record in chunk.Records)
                {
                    if (record is StoredEvent stored)
                    {
                        DeliverEventLocked(cluster, room, stored);
                    }
                    else if (record is MsgFrame message && message.Seq == room.LastDeliveredSeq + 1)
                    {
                        DeliverMessageLocked(room, message);
                    }
                }
                FlushAcksLocked(room);
                return;
            }
        }
        // Nobody here is in the room: only its cursors move (a room not known yet is created at that point).
        await CatchUpAsync(cluster, chunk.Room, chunk.ToSeq, chunk.ToEv);
    }

    /// <summary>An event of the room's stream: another node's user joined, left or was renamed (this node's own were delivered locally, in order, already).</summary>
    private void DeliverEventLocked(ClusterNode cluster, Room room, StoredEvent stored)
    {
        if (stored.Ev <= room.LastEvent)
        {
            return;
        }
        room.LastEvent = stored.Ev;
        if (stored.NodeId == cluster.Store.NodeId)
        {
            return;
        }
        switch (stored.Kind)
        {
            case RoomEvent.Joined or RoomEvent.Left when BatchesPresence(room, room.MemberCount):
                // A busy room here: into the batch, behind what is pending already (never overtaking it).
                room.PresenceOnItsWay();
                PendPresenceLocked(room, new PresenceChange(stored.Kind == RoomEvent.Joined, stored.Name, stored.Reason), session: null);
                break;
            case RoomEvent.Joined:
                room.BroadcastPresence(Frame(new JoinedFrame(room.Name, stored.Name, stored.Ts)));
                break;
            case RoomEvent.Left:
                room.BroadcastPresence(Frame(new LeftFrame(room.Name, stored.Name, stored.Ts, stored.Reason)));
                break;
            case RoomEvent.Nick when stored.Other is not null:
                if (room.IsPendingRemoteJoiner(stored.Name))
                {
                    FlushPresenceLocked(room);
                }
                // One event per room the user is in: someone sharing two of them is told once.
                var change = (stored.NodeId, stored.Name, stored.Other, stored.Ts);
                if (_remoteNicks.Count > 256)
                {
                    _remoteNicks.Clear();
                }
                var told = _remoteNicks.TryGetValue(change, out var known) ? known : _remoteNicks[change] = [];
                var frame = Frame(new NickChangedFrame(stored.Name, stored.Other, stored.Ts));
                foreach (var member in room.Members)
                {
                    if (told.Add(member))
                    {
                        member.Deliver(frame);
                    }
                }
                break;
        }
    }

    /// <summary>Recent renames on other nodes and whom they were delivered to (guarded by the lock; bounded).</summary>
    private readonly Dictionary<(long, string, string, DateTimeOffset), HashSet<ClientSession>> _remoteNicks = [];
}
