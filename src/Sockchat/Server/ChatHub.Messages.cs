using Sockchat.Protocol;

namespace Sockchat.Server;

public sealed partial class ChatHub
{
    private const int MaxHistoryLimit = 500;

    /// <summary>Posts a message to a room: every member gets it (the sender too), the sender an ack if it asked.</summary>
    public void Say(ClientSession session, SayFrame say)
    {
        if (string.IsNullOrWhiteSpace(say.Text))
        {
            session.Deliver(Frame(new ErrorFrame(ErrorCodes.BadFrame, "empty message", say.Id)));
            return;
        }
        lock (_gate)
        {
            if (ResolveRoomLocked(session, say.Room, say.Id, mustBeMember: session.Presence) is not { } room)
            {
                return;
            }
            var message = new MsgFrame(room.Name, room.NextSeq(), Now, session.Name!, say.Text, say.Action);
            room.Remember(message);
            room.Broadcast(Frame(message));
            if (say.Id is { } id)
            {
                session.Deliver(Frame(new AckFrame(id, message.Seq)));
            }
        }
    }

    /// <summary>A private message: to its target and echoed to the sender.</summary>
    public void DirectMessage(ClientSession session, DmFrame dm)
    {
        if (string.IsNullOrWhiteSpace(dm.Text))
        {
            session.Deliver(Frame(new ErrorFrame(ErrorCodes.BadFrame, "empty message", dm.Id)));
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

    /// <summary>Answers a history request from the messages kept in memory.</summary>
    public void History(ClientSession session, HistoryFrame request)
    {
        var limit = Math.Clamp(request.Limit ?? options.HistoryReplay, 1, MaxHistoryLimit);
        lock (_gate)
        {
            if (ResolveRoomLocked(session, request.Room, null, mustBeMember: false) is not { } room)
            {
                return;
            }
            session.Deliver(Frame(new HistoryReplyFrame(room.Name, room.Recent(request.Before, request.After, limit))));
        }
    }

    /// <summary>
    /// The room a request is about: the named one (normalized), else the session's current room.
    /// Answers the error itself and returns null when there is none.
    /// </summary>
    private Room? ResolveRoomLocked(ClientSession session, string? wanted, FrameId? id, bool mustBeMember)
    {
        if (wanted is null)
        {
            if (session.CurrentRoom is { } current)
            {
                return current;
            }
            if (!session.Presence)
            {
                return GetOrCreateRoom(ProtocolLimits.DefaultRoom);
            }
            session.Deliver(Frame(new ErrorFrame(ErrorCodes.NotInRoom, "you are in no room; /join one first", id)));
            return null;
        }
        if (!Names.TryNormalizeRoom(wanted, out var name, out var problem))
        {
            session.Deliver(Frame(new ErrorFrame(ErrorCodes.NoSuchRoom, problem, id)));
            return null;
        }
        var room = mustBeMember || _rooms.ContainsKey(name) ? _rooms.GetValueOrDefault(name) : GetOrCreateRoom(name);
        if (mustBeMember && (room is null || !room.Contains(session)))
        {
            session.Deliver(Frame(new ErrorFrame(ErrorCodes.NotInRoom, $"you are not in #{name}; /join {name} first", id)));
            return null;
        }
        return room ?? GetOrCreateRoom(name);
    }
}
