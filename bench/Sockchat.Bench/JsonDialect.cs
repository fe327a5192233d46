using System.Text;
using System.Text.Json;

namespace Sockchat.Bench;

/// <summary>
/// sockchat's JSON dialect (docs/protocol.md): <c>hello</c>, then <c>say</c>; ready on
/// <c>welcome</c>; server <c>ping</c> answered with <c>pong</c>.
/// Chat lines are recognised by scanning for their fields rather than by a full JSON parse: the
/// generator reads millions of lines a second on one core, and the payload alphabet needs no
/// escaping, so a <c>msg</c> whose <c>text</c> is not exactly one payload is reported as corrupt.
/// </summary>
public sealed class JsonDialect : ChatDialect
{
    private static readonly byte[] MsgStart = "{\"type\":\"msg\","u8.ToArray();
    private static readonly byte[] TypeMsg = "\"type\":\"msg\""u8.ToArray();
    private static readonly byte[] TypeWelcome = "\"type\":\"welcome\""u8.ToArray();
    private static readonly byte[] TypeError = "\"type\":\"error\""u8.ToArray();
    private static readonly byte[] TypePing = "\"type\":\"ping\""u8.ToArray();
    private static readonly byte[] HistoryFlag = "\"history\":true"u8.ToArray();
    private static readonly byte[] TextField = "\"text\":\""u8.ToArray();

    public override string Name => "json";

    /// <summary><c>hello.room</c> puts the client in the room; a <c>say</c> without a room goes to the current one.</summary>
    public override bool CanJoinRooms => true;

    public override byte[] MessagePrefix { get; } = "{\"type\":\"say\",\"text\":\""u8.ToArray();

    public override byte[] MessageSuffix { get; } = "\"}\n"u8.ToArray();

    public override byte[] Handshake(DialectSession session)
    {
        var room = session.Room is null ? "" : $",\"room\":\"{session.Room}\"";
        return Encoding.UTF8.GetBytes($"{{\"type\":\"hello\",\"name\":\"{session.Nick}\"{room}}}\n");
    }

    public override LineKind Read(ReadOnlySpan<byte> line, DialectSession session, out Range payload, out byte[]? reply)
    {
        payload = default;
        reply = null;
        if (line.IsEmpty)
        {
            return LineKind.Ignored;
        }
        if (line[0] != (byte)'{' || line[^1] != (byte)'}')
        {
            // Before the welcome the server may ask a silent client for a nickname in plain text.
            return session.Step == 0 ? LineKind.Ignored : LineKind.Corrupt;
        }
        // sockchat writes "type" first, so a chat line is usually known from its first bytes.
        var sockchatOrder = line.StartsWith(MsgStart);
        if (sockchatOrder || line.IndexOf(TypeMsg) >= 0)
        {
            // The text is the last field but for optional flags, so look for it from the end.
            var text = line.LastIndexOf(TextField);
            if (text < 0)
            {
                payload = 0..line.Length;
                return LineKind.Corrupt;
            }
            var start = text + TextField.Length;
            var end = line[start..].IndexOf((byte)'"');
            if (end < 0)
            {
                payload = start..line.Length;
                return LineKind.Corrupt;
            }
            payload = start..(start + end);
            // sockchat writes the history flag after the text; another order means a look at the rest too.
            if (line[(start + end)..].IndexOf(HistoryFlag) >= 0 || (!sockchatOrder && line[..text].IndexOf(HistoryFlag) >= 0))
            {
                return LineKind.Ignored; // replayed from before this client joined: not part of this run
            }
            return LineKind.Message;
        }
        if (line.IndexOf(TypeWelcome) >= 0)
        {
            session.Step = 1;
            return LineKind.Ready;
        }
        if (line.IndexOf(TypePing) >= 0)
        {
            reply = Pong(line);
            return LineKind.Ignored;
        }
        if (line.IndexOf(TypeError) >= 0)
        {
            return session.Step == 0 ? LineKind.Refused : LineKind.ServerError;
        }
        return LineKind.Ignored;
    }

    /// <summary>A pong echoing the ping's id exactly as sent (string or number).</summary>
    private static byte[] Pong(ReadOnlySpan<byte> ping)
    {
        using var document = JsonDocument.Parse(ping.ToArray());
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "pong");
            if (document.RootElement.TryGetProperty("id", out var id))
            {
                writer.WritePropertyName("id");
                id.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
