namespace Sockchat.Bench;

/// <summary>
/// sockchat's JSON dialect over the web port's <c>/ws</c> WebSocket (subprotocol <c>sockchat.v1</c>):
/// the same frames as <see cref="JsonDialect"/>, one per text message and without the newline.
/// The client's receive loop ends each received message with a '\n', so what the server sends is
/// read by the JSON dialect's own line reader (a message that held a raw newline would be two
/// lines, neither of them a whole frame: counted as corrupt).
/// </summary>
public sealed class WebSocketDialect : ChatDialect
{
    public const string SubProtocol = "sockchat.v1";

    private readonly JsonDialect _json = new();

    public override string Name => "websocket";

    public override bool IsWebSocket => true;

    public override bool CanJoinRooms => true;

    public override byte[] MessagePrefix => _json.MessagePrefix;

    /// <summary>The JSON dialect's suffix without its line ending: the message's end is the frame's end.</summary>
    public override byte[] MessageSuffix { get; } = "\"}"u8.ToArray();

    public override byte[] Handshake(DialectSession session) => WithoutNewline(_json.Handshake(session));

    public override LineKind Read(ReadOnlySpan<byte> line, DialectSession session, out Range payload, out byte[]? reply)
    {
        var kind = _json.Read(line, session, out payload, out reply);
        if (reply is not null)
        {
            reply = WithoutNewline(reply);
        }
        return kind;
    }

    private static byte[] WithoutNewline(byte[] line) => line.Length > 0 && line[^1] == (byte)'\n' ? line[..^1] : line;
}
