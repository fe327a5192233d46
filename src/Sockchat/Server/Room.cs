using Sockchat.Protocol;

namespace Sockchat.Server;

/// <summary>
/// One chat room: its members, its seq counter and a cache of its latest delivered messages
/// (what a joiner gets replayed without touching the disk). Owned by <see cref="ChatHub"/>,
/// whose lock guards every member here; nothing in a room does I/O, so the lock is never held
/// across a socket or disk call. The cache is bounded in messages and in bytes
/// (<paramref name="cacheBytes"/>), so a room of long messages holds no more than one of short ones.
/// </summary>
/// <summary>One joined or left notice waiting in a room's presence batch.</summary>
public readonly record struct PresenceChange(bool Joined, string Name, string? Reason);

public sealed class Room(string name, int cacheSize, long lastSeq = 0, long cacheBytes = Room.DefaultCacheBytes)
{
    /// <summary>Bytes (by <see cref="ReplayLimits.Cost"/>) of messages cached per room by default.</summary>
    public const long DefaultCacheBytes = 256 * 1024;

    private long _cachedBytes;

    private readonly HashSet<ClientSession> _members = [];
    private readonly LinkedList<MsgFrame> _recent = new();
    private long _lastSeq = lastSeq;

    /// <summary>True while the cache holds every message the room ever delivered (a new room that has not yet evicted any).</summary>
    private bool _cacheComplete = lastSeq == 0;

    public string Name { get; } = name;

    public int MemberCount => _members.Count;

    public IReadOnlyCollection<ClientSession> Members => _members;

    /// <summary>The last seq given out (stored or on its way to the store).</summary>
    public long LastSeq => _lastSeq;

    /// <summary>The last seq broadcast to members; everything up to it is stored.</summary>
    public long LastDeliveredSeq { get; private set; } = lastSeq;

    public bool Add(ClientSession session) => _members.Add(session);

    public bool Remove(ClientSession session) => _members.Remove(session);

    public bool Contains(ClientSession session) => _members.Contains(session);

    public long NextSeq() => ++_lastSeq;

    /// <summary>Fills the cache at start-up with stored messages, oldest first.</summary>
    public void Seed(IReadOnlyList<MsgFrame> stored)
    {
        foreach (var message in stored)
        {
            Remember(message with { History = false });
        }
        // Fewer than asked for, and none left out for their size: the store had no more.
        _cacheComplete = stored.Count < cacheSize && _recent.Count == stored.Count && _cachedBytes < cacheBytes;
    }

    /// <summary>Records a stored message that is being broadcast now.</summary>
    public void Delivered(MsgFrame message)
    {
        Remember(message);
        LastDeliveredSeq = message.Seq;
        // In a cluster the seq came from PostgreSQL, not from NextSeq.
        _lastSeq = Math.Max(_lastSeq, message.Seq);
    }

    /// <summary>Cluster mode: the last event of the room's stream this node has handled (joined/left/nick from other nodes).</summary>
    public long LastEvent { get; set; }

    /// <summary>Cluster mode: acks of this node's messages whose seq the room's delivery has not reached yet.</summary>
    public List<(long Seq, ClientSession Sender, FrameId Id)> PendingAcks { get; } = [];

    /// <summary>
    /// Cluster mode, a room nobody here is in: moves its position to <paramref name="seq"/> without
    /// reading the messages; the cache no longer holds every message, so replays read the store.
    /// </summary>
    public void SkipTo(long seq)
    {
        if (seq <= LastDeliveredSeq)
        {
            return;
        }
        _recent.Clear();
        _cachedBytes = 0;
        _cacheComplete = false;
        LastDeliveredSeq = seq;
        _lastSeq = Math.Max(_lastSeq, seq);
    }

    private void Remember(MsgFrame message)
    {
        _recent.AddLast(message);
        _cachedBytes += ReplayLimits.Cost(message);
        while (_recent.Count > cacheSize || (_cachedBytes > cacheBytes && _recent.Count > 0))
        {
            _cachedBytes -= ReplayLimits.Cost(_recent.First!.Value);
            _recent.RemoveFirst();
            _cacheComplete = false;
        }
    }

    /// <summary>True when the cache holds every delivered message after <paramref name="seq"/> (or retention removed the rest).</summary>
    public bool CacheCoversAfter(long seq) =>
        seq >= LastDeliveredSeq || (_recent.First is { } oldest && oldest.Value.Seq <= seq + 1);

    /// <summary>
    /// Where the newest <paramref name="count"/> kept messages begin (the seq before the first, and how many), when
    /// the cache can tell: it holds that many, or every message the room has. Null when only the store knows.
    /// </summary>
    public (long After, int Count)? StartOfLastCached(int count, DateTimeOffset? notBefore)
    {
        var found = 0;
        var after = LastDeliveredSeq;
        for (var node = _recent.Last; node is not null && found < count; node = node.Previous)
        {
            if (notBefore is { } cutoff && node.Value.Ts < cutoff)
            {
                // Older ones are past retention too: what is left in the cache is all there is.
                return (after, found);
            }
            after = node.Value.Seq - 1;
            found++;
        }
        return found == count || _cacheComplete ? (after, found) : null;
    }

    /// <summary>
    /// A page of cached messages marked as history, oldest first: those after <paramref name="after"/> up to
    /// <paramref name="upTo"/>, at most <paramref name="maxCount"/> and about <paramref name="maxBytes"/>
    /// (at least one). Null when the cache does not hold everything after <paramref name="after"/>.
    /// </summary>
    public List<MsgFrame>? CachedPage(long after, long upTo, int maxCount, long maxBytes, DateTimeOffset? notBefore)
    {
        if (!CacheCoversAfter(after) && !_cacheComplete)
        {
            return null;
        }
        var page = new List<MsgFrame>();
        long bytes = 0;
        foreach (var message in _recent)
        {
            if (message.Seq <= after || (notBefore is { } cutoff && message.Ts < cutoff))
            {
                continue;
            }
            if (message.Seq > upTo || page.Count >= maxCount || bytes >= maxBytes)
            {
                break;
            }
            page.Add(message with { History = true });
            bytes += ReplayLimits.Cost(message);
        }
        return page;
    }

    /// <summary>Queues a joined/left notice to every member that wants them (and to <paramref name="self"/>, the one it is about, always).</summary>
    public void BroadcastPresence(OutboundFrame frame, ClientSession? self = null)
    {
        foreach (var member in _members)
        {
            if (member.PresenceNotices || member == self)
            {
                member.Deliver(frame);
            }
        }
    }

    // Batched presence (see ChatHub.Presence.cs). Guarded by the hub's lock like everything here.
    private readonly List<PresenceChange> _pendingPresence = [];
    private HashSet<ClientSession>? _pendingJoiners;
    private HashSet<string>? _pendingRemoteJoiners;
    private int _presenceInFlight;

    /// <summary>The timer that flushes <see cref="_pendingPresence"/>; set while changes are pending.</summary>
    public ITimer? PresenceTimer { get; set; }

    /// <summary>
    /// True while notices of this room go through the batch: some are pending, or on their way to it
    /// behind queued messages. Then every later change must go the same way, or it would overtake them.
    /// </summary>
    public bool BatchingPresence => _presenceInFlight > 0 || _pendingPresence.Count > 0;

    /// <summary>A change decided to be batched is on its way (behind the messages queued before it).</summary>
    public void PresenceOnItsWay() => _presenceInFlight++;

    /// <summary>
    /// A change that was on its way joins the batch; true when it is the first pending one (a flush
    /// needs scheduling). <paramref name="session"/> is null for a user of another cluster node.
    /// </summary>
    public bool AddPendingPresence(PresenceChange change, ClientSession? session)
    {
        _presenceInFlight--;
        _pendingPresence.Add(change);
        if (change.Joined && session is not null)
        {
            (_pendingJoiners ??= []).Add(session);
        }
        else if (change.Joined)
        {
            (_pendingRemoteJoiners ??= new HashSet<string>(StringComparer.Ordinal)).Add(Names.NickKey(change.Name));
        }
        return _pendingPresence.Count == 1;
    }

    /// <summary>True when the session's join is pending here, not yet announced to the room.</summary>
    public bool IsPendingJoiner(ClientSession session) => _pendingJoiners?.Contains(session) == true;

    /// <summary>True when the join of another node's user of this name is pending here.</summary>
    public bool IsPendingRemoteJoiner(string name) => _pendingRemoteJoiners?.Contains(Names.NickKey(name)) == true;

    /// <summary>Takes the pending changes, oldest first, and forgets them.</summary>
    public List<PresenceChange> TakePendingPresence()
    {
        var taken = new List<PresenceChange>(_pendingPresence);
        _pendingPresence.Clear();
        _pendingJoiners = null;
        _pendingRemoteJoiners = null;
        return taken;
    }

    /// <summary>Queues the frame to every member; the bytes are encoded once for all of them.</summary>
    public void Broadcast(OutboundFrame frame)
    {
        foreach (var member in _members)
        {
            member.Deliver(frame);
        }
    }
}
