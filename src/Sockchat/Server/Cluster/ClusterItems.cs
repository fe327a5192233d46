using Sockchat.Protocol;

namespace Sockchat.Server.Cluster;

/// <summary>
/// A joined, left or nick change that other nodes must show in its place in the room's stream:
/// the writer stores it as an event positioned after the room's last seq at that point of its
/// transaction, so a <c>left</c> reaches other nodes after the leaver's last message.
/// <paramref name="Kind"/> is <c>joined</c>, <c>left</c> or <c>nick</c> (then <paramref name="Name"/>
/// is the old name and <paramref name="Other"/> the new).
/// </summary>
public sealed record RoomEvent(string Kind, string Room, string Name, string? Other, string? Reason)
{
    public const string Joined = "joined", Left = "left", Nick = "nick";
}

/// <summary>Cluster mode: a change for the other nodes (and the presence tables), in the writer's queue after what came before it.</summary>
public sealed record SharedEvent(RoomEvent Event) : WriterItem;

/// <summary>Cluster mode: a user of this node gave up a name (left or renamed), released after what it queued before.</summary>
public sealed record NameReleased(string Key) : WriterItem;

/// <summary>Cluster mode: a message as the writer stored it, with the seq PostgreSQL gave it; <see cref="Duplicate"/> when a resend of one stored before (its original seq).</summary>
public sealed record StoredMessage(MsgFrame Message, ClientSession Sender, FrameId? Id, bool Duplicate) : WriterItem;

/// <summary>What the cluster fan-out loop works on, in the order it arrives.</summary>
internal abstract record FanoutWork;

/// <summary>A batch this node's writer committed (or failed to): its commit number <paramref name="Commit"/> (the writer counts them from 1).</summary>
internal sealed record LocalBatch(StoredBatch Batch, long Commit) : FanoutWork;

/// <summary>
/// The notification of this node's own commit number <paramref name="Commit"/>: where it stands
/// among the other nodes' commits. <paramref name="Sections"/> say how far each room got
/// (<see cref="RoomChunk"/>s without their records, and <see cref="RoomAdvanced"/>).
/// </summary>
internal sealed record OwnCommit(long Commit, IReadOnlyList<FanoutWork> Sections) : FanoutWork;

/// <summary>A room's stream reached seq and event number (a notification, or the poll).</summary>
internal sealed record RoomAdvanced(string Room, long Seq, long Event) : FanoutWork;

/// <summary>
/// A run of a room's stream that node <paramref name="Node"/> committed, carried in its notification
/// (<see cref="RoomPayloads"/>): from (<paramref name="FromSeq"/>, <paramref name="FromEv"/>) exclusive
/// to (<paramref name="ToSeq"/>, <paramref name="ToEv"/>); <paramref name="Records"/> are
/// <see cref="MsgFrame"/>s and <see cref="StoredEvent"/>s in stream order.
/// </summary>
internal sealed record RoomChunk(string Room, long Node, long FromSeq, long ToSeq, long FromEv, long ToEv, IReadOnlyList<object> Records) : FanoutWork;

/// <summary>A private message from a user on another node to a user here: number <paramref name="N"/> of this node's DM stream; <paramref name="Dm"/> null when it did not fit the notification.</summary>
internal sealed record RemoteDm(long N, DmMessageFrame? Dm) : FanoutWork;

/// <summary>Read every room's position (after the listener reconnected, and as the safety net).</summary>
internal sealed record Resync : FanoutWork
{
    public static readonly Resync Instance = new();
}

/// <summary>A joiner waits for this: the room's cursor caught up with what PostgreSQL holds now, so its replay and live traffic meet without overlap.</summary>
internal sealed record Settle(string Room, TaskCompletionSource Done) : FanoutWork;

/// <summary>A stored event as read back: <see cref="NodeId"/> is the node whose user it is about.</summary>
internal sealed record StoredEvent(long Ev, long AfterSeq, string Kind, string Name, string? Other, string? Reason, long NodeId, DateTimeOffset Ts);
