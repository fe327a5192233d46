using Sockchat.Protocol;

namespace Sockchat.Server;

/// <summary>
/// One chat room: its members, its next <c>seq</c> and its recent messages. Owned by
/// <see cref="ChatHub"/>, whose lock guards every member here; nothing in a room does I/O,
/// so the lock is never held across a socket call.
/// </summary>
public sealed class Room(string name, int keep)
{
    private readonly HashSet<ClientSession> _members = [];
    private readonly Queue<MsgFrame> _recent = new();
    private long _lastSeq;

    public string Name { get; } = name;

    public int MemberCount => _members.Count;

    public IReadOnlyCollection<ClientSession> Members => _members;

    public bool Add(ClientSession session) => _members.Add(session);

    public bool Remove(ClientSession session) => _members.Remove(session);

    public bool Contains(ClientSession session) => _members.Contains(session);

    public long LastSeq => _lastSeq;

    public long NextSeq() => ++_lastSeq;

    public void Remember(MsgFrame message)
    {
        _recent.Enqueue(message);
        while (_recent.Count > keep)
        {
            _recent.Dequeue();
        }
    }

    /// <summary>Stored messages, oldest first, filtered like the JSON <c>history</c> request.</summary>
    public IReadOnlyList<MsgFrame> Recent(long? before, long? after, int limit)
    {
        IEnumerable<MsgFrame> query = _recent;
        if (before is { } b)
        {
            query = query.Where(m => m.Seq < b);
        }
        if (after is { } a)
        {
            // Paging forward: the first `limit` after the mark.
            return query.Where(m => m.Seq > a).Take(limit).Select(m => m with { History = true }).ToList();
        }
        var list = query.ToList();
        return list.Skip(Math.Max(0, list.Count - limit)).Select(m => m with { History = true }).ToList();
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
