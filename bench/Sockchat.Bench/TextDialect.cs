using System.Text;

namespace Sockchat.Bench;

/// <summary>
/// sockchat's text dialect: the first line is the nickname, every later line a message. Ready on
/// the <c>* welcome to sockchat</c> line; chat lines read <c>[HH:MM:SS] name: text</c>.
/// </summary>
public sealed class TextDialect : ChatDialect
{
    private const int ReadyFlag = 1;
    private const int InHistoryFlag = 2;

    private static readonly byte[] Welcome = "* welcome"u8.ToArray();
    private static readonly byte[] NameSeparator = ": "u8.ToArray();

    public override string Name => "text";

    public override byte[] MessagePrefix { get; } = [];

    public override byte[] MessageSuffix { get; } = "\n"u8.ToArray();

    public override byte[] Handshake(DialectSession session) => Encoding.ASCII.GetBytes(session.Nick + "\n");

    public override LineKind Read(ReadOnlySpan<byte> line, DialectSession session, out Range payload, out byte[]? reply)
    {
        payload = default;
        reply = null;
        if (line.IsEmpty)
        {
            return LineKind.Ignored;
        }
        if (line[0] == (byte)'[')
        {
            var close = line.IndexOf("] "u8);
            if (close < 0)
            {
                payload = 0..line.Length;
                return LineKind.Corrupt;
            }
            var body = close + 2;
            if (line[body..].StartsWith("* "u8) || line[body..].StartsWith("[dm]"u8))
            {
                return LineKind.Ignored;
            }
            var separator = line[body..].IndexOf(NameSeparator);
            if (separator < 0)
            {
                payload = body..line.Length;
                return LineKind.Corrupt;
            }
            payload = (body + separator + NameSeparator.Length)..line.Length;
            // Replayed history is from before this client joined: not part of this run.
            return (session.Step & InHistoryFlag) != 0 ? LineKind.Ignored : LineKind.Message;
        }
        if (line.StartsWith(Welcome))
        {
            session.Step |= ReadyFlag;
            return LineKind.Ready;
        }
        if (line.StartsWith("* last "u8))
        {
            session.Step |= InHistoryFlag;
            return LineKind.Ignored;
        }
        if (line.StartsWith("* end of history"u8))
        {
            session.Step &= ~InHistoryFlag;
            return LineKind.Ignored;
        }
        if (line[0] == (byte)'!' || line.StartsWith("{\"type\":\"error\""u8))
        {
            // "! code: message", or the JSON server_full line every dialect gets.
            return (session.Step & ReadyFlag) == 0 ? LineKind.Refused : LineKind.ServerError;
        }
        return line[0] == (byte)'*' || (session.Step & ReadyFlag) == 0 ? LineKind.Ignored : LineKind.Corrupt;
    }
}
