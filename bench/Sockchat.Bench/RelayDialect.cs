namespace Sockchat.Bench;

/// <summary>
/// A raw line relay (the seed-style Python servers, <c>ncat --broker</c>): no handshake, no
/// echo, every line is a message as sent. The protocol has no acknowledgement, so readiness is
/// probed: client 0 sends <see cref="ProbeLine"/> until every other client has seen one.
/// With <c>stripNickPrefix</c> (the <c>ncat</c> dialect, for <c>ncat --chat</c>) a leading
/// <c>&lt;userN&gt; </c> is removed and <c>&lt;announce&gt;</c> lines are ignored.
/// </summary>
public sealed class RelayDialect(bool stripNickPrefix) : ChatDialect
{
    public static ReadOnlySpan<byte> ProbeLine => "!probe"u8;

    public override string Name => stripNickPrefix ? "ncat" : "relay";

    public override bool NeedsReadyProbe => true;

    public override byte[] MessagePrefix { get; } = [];

    public override byte[] MessageSuffix { get; } = "\n"u8.ToArray();

    public override byte[] Handshake(DialectSession session) => [];

    public override LineKind Read(ReadOnlySpan<byte> line, DialectSession session, out Range payload, out byte[]? reply)
    {
        reply = null;
        var start = 0;
        if (stripNickPrefix && line.Length > 0 && line[0] == (byte)'<')
        {
            if (line.StartsWith("<announce>"u8))
            {
                payload = default;
                return LineKind.Ignored;
            }
            var close = line.IndexOf("> "u8);
            if (close > 0)
            {
                start = close + 2;
            }
        }
        payload = start..line.Length;
        var text = line[start..];
        if (text.IsEmpty)
        {
            return LineKind.Ignored;
        }
        if (text.SequenceEqual(ProbeLine))
        {
            return LineKind.Ready;
        }
        return LineKind.Message;
    }
}
