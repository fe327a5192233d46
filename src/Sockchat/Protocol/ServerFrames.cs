namespace Sockchat.Protocol;

// The frames a server sends. Kept in one file for the same reason as ClientFrames.cs.

/// <summary>An event or reply from the server.</summary>
public abstract record ServerFrame;

/// <summary>The server's greeting. <c>limits</c> carries the line limit and (sockchat) the message rate a client may keep up (0: none).</summary>
public sealed record WelcomeFrame(string Name, string ServerName, string ServerVersion, IReadOnlyList<string> Rooms, int MaxLineBytes, string? Motd,
    int RatePerSecond = 0, int RateBurst = 0) : ServerFrame;

public sealed record MsgFrame(string Room, long Seq, DateTimeOffset Ts, string From, string Text, bool Action = false, bool History = false) : ServerFrame;

public sealed record DmMessageFrame(DateTimeOffset Ts, string From, string To, string Text) : ServerFrame;

/// <summary>
/// Someone joined a room. (sockchat) A batched notice of a busy room carries every name in <paramref name="Names"/>
/// (two or more); <paramref name="Name"/> is then the first of them, for clients that read only <c>name</c>.
/// </summary>
public sealed record JoinedFrame(string Room, string Name, DateTimeOffset Ts, IReadOnlyList<string>? Names = null) : ServerFrame
{
    /// <summary>How many people this notice is about: the batch's size, else one.</summary>
    public int Count => Names is { Count: > 1 } names ? names.Count : 1;
}

/// <summary>Someone left a room; batched like <see cref="JoinedFrame"/> (every name in a batch left for the same reason).</summary>
public sealed record LeftFrame(string Room, string Name, DateTimeOffset Ts, string? Reason, IReadOnlyList<string>? Names = null) : ServerFrame
{
    /// <summary>How many people this notice is about: the batch's size, else one.</summary>
    public int Count => Names is { Count: > 1 } names ? names.Count : 1;
}

public sealed record NickChangedFrame(string Old, string New, DateTimeOffset Ts) : ServerFrame;

public sealed record AckFrame(FrameId Id, long? Seq) : ServerFrame;

public sealed record ErrorFrame(string Code, string Message, FrameId? Id = null) : ServerFrame;

public sealed record ShutdownFrame(string Reason) : ServerFrame;

public sealed record WhoReplyFrame(string Room, IReadOnlyList<string> Names) : ServerFrame;

public sealed record RoomInfo(string Name, int Members);

public sealed record RoomsReplyFrame(IReadOnlyList<RoomInfo> Rooms) : ServerFrame;

public sealed record HistoryReplyFrame(string Room, IReadOnlyList<MsgFrame> Messages) : ServerFrame;

public sealed record PongFrame(FrameId? Id) : ServerFrame;

/// <summary>
/// (sockchat) Incomplete recovery: seqs <paramref name="From"/> to <paramref name="To"/> of a room, which a
/// <c>since</c> asked for, were removed by retention and cannot be replayed. Sent before the first replayed message.
/// </summary>
public sealed record GapFrame(string Room, long From, long To) : ServerFrame;

/// <summary>Plain information for people (the text dialect's prompts and /help); JSON clients never get it.</summary>
public sealed record NoticeFrame(string Text) : ServerFrame;

/// <summary>(sockchat) Sent by the server to a silent JSON client; any line back (normally <c>pong</c>) shows it is alive.</summary>
public sealed record ServerPingFrame(FrameId? Id) : ServerFrame;
