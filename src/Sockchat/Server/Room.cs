using Sockchat.Protocol;

namespace Sockchat.Server;

/// <summary>
/// One chat room: its members, its seq counter and a cache of its latest delivered messages
/// (what a joiner gets replayed without touching the disk). Owned by <see cref="ChatHub"/>,
/// whose lock guards every member here; nothing in a room does I/O, so the lock is never held
/// across a socket or disk call.
/// </summary>
public sealed class Room(string name, int cacheSize, long lastSeq = 0)
{
    private readonly HashSet<ClientSession> _members = [];
    private readonly LinkedList<MsgFrame> _recent = new();
    private long _lastSeq = lastSeq;

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
    public void Seed(IEnumerable<MsgFrame> stored)
    {
        foreach (var message in stored)
        {
            Remember(message with { History = false });
        }
    }

    /// <summary>Records a stored message that is being broadcast now.</summary>
    public void Delivered(MsgFrame message)
    {
        Remember(message);
        LastDeliveredSeq = message.Seq;
    }

    private void Remember(MsgFrame message)
    {
        _recent.AddLast(message);
        while (_recent.Count > cacheSize)
        {
            _recent.RemoveFirst();
        }
    }

    /// <summary>True when the cache holds every delivered message after <paramref name="seq"/> (or retention removed the rest).</summary>
    public bool CacheCoversAfter(long seq) =>
        seq >= LastDeliveredSeq || (_recent.First is { } oldest && oldest.Value.Seq <= seq + 1);

    /// <summary>Cached messages marked as history, oldest first: all after <paramref name="after"/>, or the newest <paramref name="limit"/>.</summary>
    public IReadOnlyList<MsgFrame> Recent(long? after, int limit, DateTimeOffset? notBefore)
    {
        IEnumerable<MsgFrame> query = _recent;
        if (notBefore is { } cutoff)
        {
            query = query.Where(m => m.Ts >= cutoff);
        }
        if (after is { } a)
        {
            query = query.Where(m => m.Seq > a);
        }
        var list = query.ToList();
        return list.Skip(Math.Max(0, list.Count - limit)).Select(m => m with { History = true }).ToList();
    }

    /// <summary>Queues the frame to every member; the bytes are encoded once for all of them.</summary>
    public void Broadcast(OutboundFrame frame)
    {
        var batch = DeliveryBatch.Current;
        foreach (var member in _members)
        {
            member.Deliver(frame, batch);
        }
    }
}
