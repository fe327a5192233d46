using Sockchat.Protocol;

namespace Sockchat.Server;

public sealed partial class ChatHub
{
    /// <summary>Joins a room (or makes it current if already joined).</summary>
    public async Task JoinAsync(ClientSession session, JoinFrame join, CancellationToken cancellationToken)
    {
        if (!session.Presence)
        {
            DeliverTo(session, new ErrorFrame(ErrorCodes.BadFrame, "a posting-only connection (presence: false) joins no rooms; name the room in say"));
            return;
        }
        if (!Names.TryNormalizeRoom(join.Room, out var name, out var problem))
        {
            DeliverTo(session, new ErrorFrame(ErrorCodes.NoSuchRoom, problem));
            return;
        }
        await JoinAndReplayAsync(session, name, join.Since, cancellationToken);
    }

    /// <summary>Joins under the lock, then streams the replay (if it did not fit at once) outside it.</summary>
    private async Task JoinAndReplayAsync(ClientSession session, string name, long? since, CancellationToken cancellationToken)
    {
        await SettleRoomAsync(name, cancellationToken);
        Replay? replay;
        bool needsStart;
        lock (_gate)
        {
            replay = JoinLocked(session, name, since, out needsStart);
        }
        if (replay is not null)
        {
            await StreamReplayAsync(session, replay, needsStart, cancellationToken);
        }
    }

    /// <summary>
    /// Adds the session to the room and replays what it should see: everything after
    /// <paramref name="since"/> (a reconnect), else the last few messages. A small replay the cache
    /// holds goes out at once; otherwise the session holds its live traffic and the replay to
    /// stream is returned.
    /// </summary>
    private Replay? JoinLocked(ClientSession session, string name, long? since, out bool needsStart)
    {
        needsStart = false;
        var joined = _rooms.TryGetValue(name, out var room) && room.Contains(session);
        if (!joined && session.JoinedRooms.Count >= _options.MaxRoomsPerClient)
        {
            session.Deliver(Frame(new ErrorFrame(ErrorCodes.TooManyRooms,
                $"you are in {session.JoinedRooms.Count} rooms, the most one connection may join; /part one first")));
            return null;
        }
        if (room is null && !TryCreateRoomLocked(session, name, null, out room))
        {
            return null;
        }
        if (joined)
        {
            // Already a member: it becomes the current room again.
            session.JoinedRooms.Remove(room);
            session.JoinedRooms.Add(room);
            session.Deliver(Frame(new JoinedFrame(room.Name, session.Name!, Now)));
            return null;
        }
        room.Add(session);
        session.JoinedRooms.Add(room);
        AnnounceJoinLocked(room, session);
        var replay = PlanReplayLocked(room, since, out needsStart);
        if (replay is null || (!needsStart && TryReplayAtOnceLocked(session, room, replay)))
        {
            return null;
        }
        // Live messages wait in the session until the older ones are read and sent first.
        session.HoldDeliveries();
        return replay;
    }

    /// <summary>Leaves a room (the current one when none is named).</summary>
    public void Part(ClientSession session, PartFrame part)
    {
        if (!session.Presence)
        {
            // It is in no room: a left notice would announce someone who was never there (issue 9).
            session.Deliver(Frame(new ErrorFrame(ErrorCodes.BadFrame, "a posting-only connection (presence: false) is in no room, so it cannot part one")));
            return;
        }
        lock (_gate)
        {
            if (ResolveRoomLocked(session, part.Room, null, mustBeMember: true, create: false) is not { } room)
            {
                return;
            }
            room.Remove(session);
            session.JoinedRooms.Remove(room);
            AnnounceLeaveLocked(room, session, reason: null, self: true);
            DropIfUnused(room);
        }
    }

    /// <summary>Changes a nickname; everyone who shares a room with the user is told, and the user too.</summary>
    public void Nick(ClientSession session, NickFrame nick)
    {
        if (!Names.TryNormalizeNick(nick.Name, out var wanted, out var problem))
        {
            session.Deliver(Frame(new ErrorFrame(ErrorCodes.NameInvalid, problem)));
            return;
        }
        string old;
        lock (_gate)
        {
            old = session.Name!;
            var oldKey = Names.NickKey(old);
            var newKey = Names.NickKey(wanted);
            if (newKey != oldKey && _present.ContainsKey(newKey))
            {
                session.Deliver(Frame(new ErrorFrame(ErrorCodes.NameTaken, $"the name '{wanted}' is in use; choose another")));
                return;
            }
            if (!session.Presence)
            {
                session.Name = wanted;
                return;
            }
            _present.Remove(oldKey);
            _present[newKey] = session;
            session.Name = wanted;
            var frame = Frame(new NickChangedFrame(old, wanted, Now));
            foreach (var room in session.JoinedRooms)
            {
                ShareLocked(new Cluster.RoomEvent(Cluster.RoomEvent.Nick, room.Name, old, wanted, null));
            }
            if (newKey != oldKey)
            {
                ShareLocked(new Cluster.NameReleased(oldKey));
            }
            AfterQueuedMessagesLocked(() =>
            {
                // Nobody reads "old is now known as new" before "old joined".
                FlushPendingJoinsOfLocked(session);
                var told = new HashSet<ClientSession> { session };
                session.Deliver(frame);
                foreach (var room in session.JoinedRooms)
                {
                    foreach (var member in room.Members)
                    {
                        if (told.Add(member))
                        {
                            member.Deliver(frame);
                        }
                    }
                }
            });
        }
        Log.NickChanged(_logger, session.Id, old, wanted);
    }

    /// <summary>Lists the members of a room (the current one when none is named).</summary>
    public void Who(ClientSession session, WhoFrame who)
    {
        lock (_gate)
        {
            Room? room;
            if (who.Room is null)
            {
                room = session.CurrentRoom;
                if (room is null)
                {
                    session.Deliver(Frame(new ErrorFrame(ErrorCodes.NotInRoom, "you are in no room; name one: /who room")));
                    return;
                }
            }
            else if (!Names.TryNormalizeRoom(who.Room, out var name, out var problem))
            {
                session.Deliver(Frame(new ErrorFrame(ErrorCodes.NoSuchRoom, problem)));
                return;
            }
            else if (!_rooms.TryGetValue(name, out room) || (room.MemberCount == 0 && room.Name != ProtocolLimits.DefaultRoom))
            {
                session.Deliver(Frame(new ErrorFrame(ErrorCodes.NoSuchRoom, $"nobody is in #{name}")));
                return;
            }
            var names = room.Members.Select(m => m.Name!).Order(StringComparer.OrdinalIgnoreCase).ToList();
            session.Deliver(Frame(new WhoReplyFrame(room.Name, names)));
        }
    }

    /// <summary>Lists the rooms that have members, and always #general.</summary>
    public void ListRooms(ClientSession session)
    {
        lock (_gate)
        {
            var rooms = _rooms.Values
                .Where(r => r.MemberCount > 0 || r.Name == ProtocolLimits.DefaultRoom)
                .OrderBy(r => r.Name, StringComparer.Ordinal)
                .Select(r => new RoomInfo(r.Name, r.MemberCount))
                .ToList();
            session.Deliver(Frame(new RoomsReplyFrame(rooms)));
        }
    }
}
