namespace Sockchat.Protocol;

// The frames a client sends, as parsed from either dialect. They are kept together in one file
// (against the one-type-per-file habit) because each is a one-line record and reading them side
// by side is the clearest summary of the protocol's client half.

/// <summary>A request from a client, whichever dialect it arrived in.</summary>
public abstract record ClientFrame;

/// <summary>
/// The JSON dialect's first frame. <paramref name="PresenceNotices"/> (sockchat, <c>presenceNotices</c>) false asks for no
/// <c>joined</c>/<c>left</c> notices about other people (the answers to the client's own join and part still come).
/// </summary>
public sealed record HelloFrame(string Name, string? Room, string? Password, bool Presence, IReadOnlyDictionary<string, long>? Since,
    bool PresenceNotices = true) : ClientFrame;

public sealed record SayFrame(string? Room, string Text, FrameId? Id, bool Action = false) : ClientFrame;

public sealed record DmFrame(string To, string Text, FrameId? Id) : ClientFrame;

/// <summary>Join a room; <c>since</c> (sockchat) asks for every message after that seq instead of the recent few, as a reconnecting client does.</summary>
public sealed record JoinFrame(string Room, long? Since = null) : ClientFrame;

public sealed record PartFrame(string? Room) : ClientFrame;

public sealed record NickFrame(string Name) : ClientFrame;

public sealed record WhoFrame(string? Room) : ClientFrame;

public sealed record RoomsFrame : ClientFrame;

public sealed record HistoryFrame(string? Room, long? Before, long? After, int? Limit) : ClientFrame;

public sealed record PingFrame(FrameId? Id) : ClientFrame;

public sealed record QuitFrame(string? Reason) : ClientFrame;

/// <summary>(sockchat) The answer to a server's <c>ping</c>; needs no reply.</summary>
public sealed record PongReplyFrame(FrameId? Id) : ClientFrame;

/// <summary>(sockchat) Text dialect's <c>/quiet</c> (no joined/left notices about others) and <c>/quiet off</c>.</summary>
public sealed record QuietFrame(bool Quiet) : ClientFrame;

/// <summary>Text dialect's <c>/help</c>.</summary>
public sealed record HelpFrame : ClientFrame;

/// <summary>A well-formed frame of a type (or a /command) the server does not know.</summary>
public sealed record UnknownFrame(string Type, FrameId? Id) : ClientFrame;

/// <summary>Input that could not be understood; answered with an <c>error</c>, never a disconnect.</summary>
public sealed record InvalidFrame(string Code, string Message, FrameId? Id) : ClientFrame;
