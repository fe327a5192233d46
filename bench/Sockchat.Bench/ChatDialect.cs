namespace Sockchat.Bench;

/// <summary>
/// How one kind of chat server is spoken to: the handshake a client sends, how a payload is
/// wrapped into a line, and what each received line means. Implementations are stateless
/// (per-client state lives in <see cref="DialectSession"/>), so one instance serves every client.
/// </summary>
public abstract class ChatDialect
{
    public abstract string Name { get; }

    /// <summary>True when the protocol has no acknowledgement of its own, so the generator must probe readiness.</summary>
    public virtual bool NeedsReadyProbe => false;

    /// <summary>True when clients speak it over the web port's WebSocket (one frame per message) instead of a TCP line stream.</summary>
    public virtual bool IsWebSocket => false;

    /// <summary>
    /// True when the handshake puts a client into <see cref="DialectSession.Room"/> and its messages go
    /// there: what idle mode's rooms (<c>--idle-room-size</c>) and <c>--chat-rooms</c> need.
    /// </summary>
    public virtual bool CanJoinRooms => false;

    /// <summary>Bytes written before a payload to make it a chat line.</summary>
    public abstract byte[] MessagePrefix { get; }

    /// <summary>
    /// The prefix for <paramref name="session"/>'s messages: <see cref="MessagePrefix"/>, unless the
    /// dialect names the room in every message (IRC's <c>PRIVMSG #channel</c>). Asked once per sender.
    /// </summary>
    public virtual byte[] MessagePrefixFor(DialectSession session) => MessagePrefix;

    /// <summary>Bytes written after a payload, line ending included.</summary>
    public abstract byte[] MessageSuffix { get; }

    /// <summary>What a client sends as soon as it is connected (may be empty).</summary>
    public abstract byte[] Handshake(DialectSession session);

    /// <summary>
    /// Reads one line from the server (without its line ending). For <see cref="LineKind.Message"/>
    /// and <see cref="LineKind.Corrupt"/> chat lines, <paramref name="payload"/> is the message text
    /// within the line. <paramref name="reply"/> is what the client must send back, if anything
    /// (a PONG, the next handshake step).
    /// </summary>
    public abstract LineKind Read(ReadOnlySpan<byte> line, DialectSession session, out Range payload, out byte[]? reply);

    /// <summary>The dialect for a --dialect name.</summary>
    public static ChatDialect Create(string name, string? ircOper = null) => name switch
    {
        "json" => new JsonDialect(),
        "text" => new TextDialect(),
        "relay" => new RelayDialect(stripNickPrefix: false),
        "ncat" => new RelayDialect(stripNickPrefix: true),
        "irc" => new IrcDialect(ircOper),
        "websocket" or "web" => new WebSocketDialect(),
        _ => throw new BenchUsageException($"unknown dialect '{name}': use json, websocket, text, relay, ncat or irc"),
    };
}
