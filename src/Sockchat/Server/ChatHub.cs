using Microsoft.Extensions.Logging;
using Sockchat.Protocol;

namespace Sockchat.Server;

/// <summary>
/// The one owner of chat state: who is connected under which name, the rooms and their members.
/// Every change happens under a single lock, and while it is held the hub only queues frames
/// (<see cref="Outbox.TryEnqueue"/> never waits), so no lock is ever held across I/O and every
/// member of a room sees that room's messages in seq order. Owned by <see cref="ChatServer"/>.
/// Split by concern: this file (registration and leaving), ChatHub.Messages.cs (say, dm,
/// history) and ChatHub.Rooms.cs (join, part, nick, who, rooms).
/// </summary>
public sealed partial class ChatHub(ServerOptions options, TimeProvider time, ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ClientSession> _present = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Room> _rooms = new(StringComparer.Ordinal)
    {
        [ProtocolLimits.DefaultRoom] = new Room(ProtocolLimits.DefaultRoom, options.HistoryKeep),
    };
    private readonly TextRenderer _renderer = new(options.TimeZone);

    public int PresentCount
    {
        get { lock (_gate) return _present.Count; }
    }

    private DateTimeOffset Now => time.GetUtcNow();

    private OutboundFrame Frame(ServerFrame frame) => new(frame, _renderer);

    /// <summary>Admits a client under the name and room of its hello, or returns the error that refuses it.</summary>
    public ErrorFrame? Register(ClientSession session, HelloFrame hello)
    {
        if (!Names.TryNormalizeNick(hello.Name, out var nick, out var problem))
        {
            return new ErrorFrame(ErrorCodes.NameInvalid, problem);
        }
        var roomName = ProtocolLimits.DefaultRoom;
        if (hello.Room is not null && !Names.TryNormalizeRoom(hello.Room, out roomName, out problem))
        {
            return new ErrorFrame(ErrorCodes.NoSuchRoom, problem);
        }
        var key = Names.NickKey(nick);
        lock (_gate)
        {
            if (_present.ContainsKey(key))
            {
                return new ErrorFrame(ErrorCodes.NameTaken, $"the name '{nick}' is in use; choose another");
            }
            session.Name = nick;
            session.Presence = hello.Presence;
            var welcomeRooms = hello.Presence ? new[] { roomName } : Array.Empty<string>();
            session.Deliver(Frame(new WelcomeFrame(nick, options.ServerName, options.Version, welcomeRooms, options.MaxLineBytes, options.Motd)));
            if (!hello.Presence)
            {
                return null;
            }
            _present[key] = session;
            var since = hello.Since is not null && hello.Since.TryGetValue(roomName, out var s) ? s : (long?)null;
            JoinLocked(session, roomName, since);
        }
        Log.UserJoined(logger, session.Id, nick, roomName);
        return null;
    }

    /// <summary>Removes a client that went away and tells the rooms it was in, with the reason.</summary>
    public void Disconnect(ClientSession session, string reason)
    {
        if (session.Name is null || !session.Presence)
        {
            return;
        }
        lock (_gate)
        {
            var key = Names.NickKey(session.Name);
            if (!_present.TryGetValue(key, out var holder) || holder != session)
            {
                return;
            }
            _present.Remove(key);
            foreach (var room in session.JoinedRooms.ToList())
            {
                room.Remove(session);
                // At shutdown everyone is leaving and has been told why; no notices.
                if (reason != LeaveReasons.Shutdown)
                {
                    room.Broadcast(Frame(new LeftFrame(room.Name, session.Name, Now, reason)));
                }
                DropIfEmpty(room);
            }
            session.JoinedRooms.Clear();
        }
    }

    private Room GetOrCreateRoom(string name)
    {
        if (!_rooms.TryGetValue(name, out var room))
        {
            room = new Room(name, options.HistoryKeep);
            _rooms[name] = room;
        }
        return room;
    }

    // A room's messages outlive its members (they are its history), so only rooms that never
    // carried a message are dropped when they empty.
    private void DropIfEmpty(Room room)
    {
        if (room.MemberCount == 0 && room.LastSeq == 0 && room.Name != ProtocolLimits.DefaultRoom)
        {
            _rooms.Remove(room.Name);
        }
    }

    private ClientSession? FindPresent(string name) =>
        _present.TryGetValue(Names.NickKey(name), out var session) ? session : null;
}
