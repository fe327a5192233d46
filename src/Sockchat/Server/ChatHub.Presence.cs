using Sockchat.Protocol;

namespace Sockchat.Server;

/// <summary>
/// Joined and left notices. In a small room each change is announced at once, one name a frame.
/// In a busy one (<see cref="ServerOptions.PresenceBatchMembers"/> members or more, or while
/// earlier changes of the room are still batched) they are collected and sent together, at most
/// once per <see cref="ServerOptions.PresenceBatchInterval"/> per room: a room of N members that
/// N people join costs about N deliveries per interval instead of N². Clients that asked for no
/// notices (<see cref="ClientSession.PresenceNotices"/>) are skipped; the one a notice is about
/// always gets its own.
/// <para>
/// Ordering, the guarantee made here: a batched change goes through
/// <see cref="AfterQueuedMessagesLocked"/> (the history writer's queue) before it enters the batch,
/// so a leaver's <c>left</c> enters it only after every message the leaver sent before leaving
/// was delivered, and a flush can only make it later. A joiner's <c>joined</c> enters the batch
/// before any message it posts after joining is delivered (the writer's queue is FIFO and the
/// join was queued first), and delivering a message of a sender whose join is still pending
/// flushes the room's batch first (<see cref="Publish"/>), so everyone hears of the joiner
/// before they read it. A nick change flushes the batches its user's join is pending in, so
/// nobody reads "old is now known as new" before "old joined". Changes leave the batch in the
/// order they entered it.
/// </para>
/// <para>
/// In a cluster, other nodes' changes arrive in the room's stream, already after the messages
/// before them; in a room this node batches (by its own member count) they enter the same batch
/// at once, and a message, rename or batch of another node's user whose join is pending flushes
/// it first (<see cref="ChatHub.DeliverEventLocked"/>, <see cref="ChatHub.DeliverMessageLocked"/>).
/// </para>
/// </summary>
public sealed partial class ChatHub
{
    /// <summary>Sets whether the session gets joined/left notices about others (text <c>/quiet</c>).</summary>
    public void SetPresenceNotices(ClientSession session, bool wanted)
    {
        lock (_gate)
        {
            session.PresenceNotices = wanted;
        }
    }

    /// <summary>True when a change in the room must be batched; <paramref name="members"/> counts the one joining or leaving.</summary>
    private bool BatchesPresence(Room room, int members) =>
        room.BatchingPresence || members >= _options.PresenceBatchMembers;

    /// <summary>
    /// Announces that <paramref name="session"/> joined (it is a member already). It always gets its
    /// own one-name <c>joined</c> at once (before its replay); the room gets it at once or batched.
    /// Call with the lock held.
    /// </summary>
    private void AnnounceJoinLocked(Room room, ClientSession session)
    {
        var own = Frame(new JoinedFrame(room.Name, session.Name!, Now));
        ShareLocked(new Cluster.RoomEvent(Cluster.RoomEvent.Joined, room.Name, session.Name!, null, null));
        if (!BatchesPresence(room, room.MemberCount))
        {
            room.BroadcastPresence(own, session);
            return;
        }
        session.Deliver(own);
        var change = new PresenceChange(Joined: true, session.Name!, null);
        room.PresenceOnItsWay();
        AfterQueuedMessagesLocked(() => PendPresenceLocked(room, change, session));
    }

    /// <summary>
    /// Announces that <paramref name="session"/> left (it is no longer a member) after every message
    /// queued before; <paramref name="self"/> also sends the leaver its own <c>left</c> (a part).
    /// Call with the lock held.
    /// </summary>
    private void AnnounceLeaveLocked(Room room, ClientSession session, string? reason, bool self)
    {
        var name = session.Name!;
        var left = Frame(new LeftFrame(room.Name, name, Now, reason));
        if (!BatchesPresence(room, room.MemberCount + 1))
        {
            AfterQueuedMessagesLocked(() =>
            {
                room.BroadcastPresence(left);
                if (self)
                {
                    session.Deliver(left);
                }
            });
            ShareLocked(new Cluster.RoomEvent(Cluster.RoomEvent.Left, room.Name, name, null, reason));
            return;
        }
        var change = new PresenceChange(Joined: false, name, reason);
        room.PresenceOnItsWay();
        AfterQueuedMessagesLocked(() =>
        {
            if (self)
            {
                session.Deliver(left);
            }
            PendPresenceLocked(room, change, session);
        });
        ShareLocked(new Cluster.RoomEvent(Cluster.RoomEvent.Left, room.Name, name, null, reason));
    }

    /// <summary>Adds a change to the room's batch and, for the first one, schedules the flush. Runs under the lock.</summary>
    private void PendPresenceLocked(Room room, PresenceChange change, ClientSession? session)
    {
        if (room.AddPendingPresence(change, session) && room.PresenceTimer is null)
        {
            room.PresenceTimer = _time.CreateTimer(static state =>
            {
                var (hub, room) = ((ChatHub, Room))state!;
                hub.FlushPresence(room);
            }, (this, room), _options.PresenceBatchInterval, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The flush timer's callback (a thread-pool thread): an exception here would end the process, so it is logged instead.</summary>
    private void FlushPresence(Room room)
    {
        try
        {
            lock (_gate)
            {
                FlushPresenceLocked(room);
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
        {
            // Sessions closing as the server stops; their notices no longer matter.
            Log.PresenceFlushFailed(_logger, room.Name, ex);
        }
    }

    /// <summary>
    /// Sends a room's pending changes: one frame per run of changes of one kind (and, for leaves,
    /// one reason), oldest run first; a run of one is an ordinary one-name notice. Run under the lock.
    /// </summary>
    private void FlushPresenceLocked(Room room)
    {
        room.PresenceTimer?.Dispose();
        room.PresenceTimer = null;
        var changes = room.TakePendingPresence();
        var start = 0;
        while (start < changes.Count)
        {
            var first = changes[start];
            var end = start + 1;
            while (end < changes.Count && changes[end].Joined == first.Joined && changes[end].Reason == first.Reason)
            {
                end++;
            }
            var names = end - start > 1 ? changes.GetRange(start, end - start).ConvertAll(c => c.Name) : null;
            ServerFrame frame = first.Joined
                ? new JoinedFrame(room.Name, first.Name, Now, names)
                : new LeftFrame(room.Name, first.Name, Now, first.Reason, names);
            room.BroadcastPresence(Frame(frame));
            start = end;
        }
    }

    /// <summary>Flushes the batch of every room where the session's join is not yet announced. Run under the lock.</summary>
    private void FlushPendingJoinsOfLocked(ClientSession session)
    {
        foreach (var room in session.JoinedRooms)
        {
            if (room.IsPendingJoiner(session))
            {
                FlushPresenceLocked(room);
            }
        }
    }
}
