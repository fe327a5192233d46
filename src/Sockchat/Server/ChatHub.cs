using Microsoft.Extensions.Logging;
using Sockchat.Protocol;

namespace Sockchat.Server;

/// <summary>
/// The one owner of chat state: who is connected under which name, the rooms and their members.
/// Every change happens under a single lock, and while it is held the hub only queues frames
/// (<see cref="Outbox.TryEnqueue"/> never waits), so no lock is ever held across I/O. A message
/// gets its seq under the lock and goes to the <see cref="HistoryWriter"/>; the writer stores it and
/// passes it on to the hub's fan-out loop (<see cref="RunFanoutAsync"/>), which queues it, under the
/// lock and in seq order, to every member: every member sees a room in seq order and an ack always
/// means "stored". The path is drawn in docs/architecture.md. Owned by <see cref="ChatServer"/>.
/// A room exists only once someone joined or posted to it (reads such as <c>history</c> or
/// <c>who</c> never create one), and there are at most <see cref="ServerOptions.MaxRooms"/>.
/// Split by concern: this file (registration and leaving), ChatHub.Messages.cs (say, dm,
/// history), ChatHub.Rooms.cs (join, part, nick, who, rooms) and ChatHub.Presence.cs (joined and
/// left notices, batched in busy rooms).
/// </summary>
public sealed partial class ChatHub
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ClientSession> _present = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Room> _rooms = new(StringComparer.Ordinal);
    private readonly ServerOptions _options;
    private readonly IHistoryReader _store;
    private readonly IWriterQueue _writer;
    private readonly HistoryWriter? _sqliteWriter;
    private readonly SqliteHistoryStore? _sqlite;
    /// <summary>Cluster mode (issue 11; ChatHub.Cluster.cs): seq from PostgreSQL, fan-out from its notifications. Null for a single server.</summary>
    private readonly Cluster.ClusterNode? _cluster;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TextRenderer _renderer;

    public ChatHub(ServerOptions options, SqliteHistoryStore store, HistoryWriter writer, TimeProvider time, ILogger logger)
        : this(options, (IHistoryReader)store, (IWriterQueue)writer, time, logger)
    {
        _sqlite = store;
        _sqliteWriter = writer;
    }

    /// <summary>A hub of one cluster node: its messages are stored by the node's writer and delivered from the cluster's streams.</summary>
    public ChatHub(ServerOptions options, Cluster.ClusterNode cluster, TimeProvider time, ILogger logger)
        : this(options, (IHistoryReader)cluster.Store, (IWriterQueue)cluster.Writer, time, logger)
    {
        _cluster = cluster;
    }

    private ChatHub(ServerOptions options, IHistoryReader store, IWriterQueue writer, TimeProvider time, ILogger logger)
    {
        _options = options;
        _store = store;
        _writer = writer;
        _time = time;
        _logger = logger;
        _renderer = new TextRenderer(options.TimeZone);
        _rooms[ProtocolLimits.DefaultRoom] = NewRoom(ProtocolLimits.DefaultRoom);
    }

    /// <summary>The server's instruments; null in tests that build a hub alone.</summary>
    public ServerMetrics? Metrics { get; set; }

    public int PresentCount
    {
        get { lock (_gate) return _present.Count; }
    }

    /// <summary>Rooms the hub holds (with members, or with history).</summary>
    public int RoomCount
    {
        get { lock (_gate) return _rooms.Count; }
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Messages older than this are past retention and never replayed.</summary>
    private DateTimeOffset? RetentionCutoff => _options.History.MaxAge is { } age ? Now - age : null;

    private OutboundFrame Frame(ServerFrame frame) => new(frame, _renderer);

    /// <summary>Delivers one frame to one session, under the lock (what every delivery needs; see <see cref="ClientSession.Deliver"/>).</summary>
    public void DeliverTo(ClientSession session, ServerFrame frame)
    {
        var outbound = Frame(frame);
        lock (_gate)
        {
            session.Deliver(outbound);
        }
    }

    /// <summary>Messages cached per room: never more than retention keeps on disk.</summary>
    private int CacheSize => _options.History.MaxMessagesPerRoom > 0
        ? Math.Min(_options.HistoryCache, _options.History.MaxMessagesPerRoom)
        : _options.HistoryCache;

    /// <summary>Restores every room's seq and recent messages from the store (at start, before any client).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var rooms = _cluster is not null
            ? (await _cluster.Store.LoadRoomsAsync(cancellationToken)).Select(r => (r.Room, r.Seq, r.Event))
            : _sqlite!.LoadLastSeqs().Select(r => (Room: r.Key, Seq: r.Value, Event: 0L));
        foreach (var (name, lastSeq, lastEvent) in rooms)
        {
            var room = NewRoom(name, lastSeq);
            room.LastEvent = lastEvent;
            room.Seed(await _store.QueryAsync(name, before: null, after: null, CacheSize, long.MaxValue, cancellationToken, _options.HistoryCacheBytes));
            lock (_gate)
            {
                _rooms[name] = room;
            }
        }
    }

    /// <summary>Admits a client under the name and room of its hello, or returns the error that refuses it.</summary>
    public async Task<ErrorFrame?> RegisterAsync(ClientSession session, HelloFrame hello, CancellationToken cancellationToken)
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
        if (_cluster is not null && await ClaimInClusterAsync(nick, key, hello.Presence, cancellationToken) is { } refused)
        {
            return refused;
        }
        if (hello.Presence)
        {
            await SettleRoomAsync(roomName, cancellationToken);
        }
        var refusal = await RegisterLockedAsync(session, hello, nick, key, roomName, cancellationToken);
        if (refusal is not null && _cluster is not null && hello.Presence)
        {
            await ReleaseClaimAsync(key);
        }
        return refusal;
    }

    private async Task<ErrorFrame?> RegisterLockedAsync(ClientSession session, HelloFrame hello, string nick, string key, string roomName, CancellationToken cancellationToken)
    {
        Replay? replay;
        bool needsStart;
        lock (_gate)
        {
            if (_present.ContainsKey(key))
            {
                return new ErrorFrame(ErrorCodes.NameTaken, $"the name '{nick}' is in use; choose another");
            }
            if (hello.Presence && !_rooms.ContainsKey(roomName) && _rooms.Count >= _options.MaxRooms)
            {
                // Refused before the welcome, which would name a room the client is not in.
                return new ErrorFrame(ErrorCodes.TooManyRooms, $"the server has {_options.MaxRooms} rooms, its most; #{roomName} cannot be created. Choose an existing room");
            }
            session.Name = nick;
            session.Presence = hello.Presence;
            session.PresenceNotices = hello.PresenceNotices;
            var welcomeRooms = hello.Presence ? new[] { roomName } : Array.Empty<string>();
            session.Deliver(Frame(new WelcomeFrame(nick, _options.ServerName, _options.Version, welcomeRooms, _options.MaxLineBytes, _options.Motd,
                _options.RatePerSecond, _options.RateBurst)));
            if (!hello.Presence)
            {
                return null;
            }
            _present[key] = session;
            var since = hello.Since is not null && hello.Since.TryGetValue(roomName, out var s) ? s : (long?)null;
            replay = JoinLocked(session, roomName, since, out needsStart);
        }
        Log.UserJoined(_logger, session.Id, nick, roomName);
        if (replay is not null)
        {
            await StreamReplayAsync(session, replay, needsStart, cancellationToken);
        }
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
                    AnnounceLeaveLocked(room, session, reason, self: false);
                }
                DropIfUnused(room);
            }
            session.JoinedRooms.Clear();
            ShareLocked(new Cluster.NameReleased(key));
        }
    }

    /// <summary>Creates a room someone joins or posts to, unless the server holds its most; then answers <c>too_many_rooms</c>. Call with the lock held.</summary>
    private bool TryCreateRoomLocked(ClientSession session, string name, FrameId? id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Room? room)
    {
        if (_rooms.Count >= _options.MaxRooms)
        {
            Log.RoomLimit(_logger, session.Id, name, _options.MaxRooms);
            session.Deliver(Frame(new ErrorFrame(ErrorCodes.TooManyRooms,
                $"the server has {_options.MaxRooms} rooms, its most; #{name} was not created. Use an existing room", id)));
            room = null;
            return false;
        }
        room = NewRoom(name);
        _rooms[name] = room;
        return true;
    }

    private Room NewRoom(string name, long lastSeq = 0) => new(name, CacheSize, lastSeq, _options.HistoryCacheBytes);

    // A room's messages outlive its members (they are its history), so only rooms that never
    // carried a message are dropped when they empty.
    private void DropIfUnused(Room room)
    {
        if (room.MemberCount == 0 && room.LastSeq == 0 && room.Name != ProtocolLimits.DefaultRoom && _cluster is null)
        {
            _rooms.Remove(room.Name);
        }
    }

    private ClientSession? FindPresent(string name) =>
        _present.TryGetValue(Names.NickKey(name), out var session) ? session : null;
}
