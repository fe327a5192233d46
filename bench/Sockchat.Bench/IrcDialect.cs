using System.Text;

namespace Sockchat.Bench;

/// <summary>
/// IRC (RFC 2812) as ngIRCd speaks it: NICK/USER, wait for 001, JOIN the channel, ready when the
/// server confirms our own JOIN. Messages are <c>PRIVMSG #bench :payload</c> (or the session's room's
/// channel); incoming ones read <c>:nick!user@host PRIVMSG #bench :payload</c>. PING is answered with PONG. IRC servers do not
/// echo a message to its sender.
/// With an operator login (<c>--irc-oper name:password</c>) each sender becomes an IRC operator
/// and sets user mode +F, ngIRCd's "relaxed flood protection", before joining.
/// </summary>
public sealed class IrcDialect(string? oper) : ChatDialect
{
    private const int Registered = 1;
    private const int Joined = 2;

    public override string Name => "irc";

    /// <summary>The client JOINs <c>#room</c> after 001, and each of its messages names that channel.</summary>
    public override bool CanJoinRooms => true;

    public override byte[] MessagePrefix { get; } = "PRIVMSG #bench :"u8.ToArray();

    public override byte[] MessagePrefixFor(DialectSession session) =>
        session.Room is null ? MessagePrefix : Encoding.ASCII.GetBytes($"PRIVMSG #{session.Room} :");

    public override byte[] MessageSuffix { get; } = "\r\n"u8.ToArray();

    public override byte[] Handshake(DialectSession session) =>
        Encoding.ASCII.GetBytes($"NICK {session.Nick}\r\nUSER {session.Nick} 0 * :bench\r\n");

    public override LineKind Read(ReadOnlySpan<byte> line, DialectSession session, out Range payload, out byte[]? reply)
    {
        payload = default;
        reply = null;
        if (line.IsEmpty)
        {
            return LineKind.Ignored;
        }
        var prefixEnd = 0;
        var prefix = ReadOnlySpan<byte>.Empty;
        if (line[0] == (byte)':')
        {
            var space = line.IndexOf((byte)' ');
            if (space < 0)
            {
                return LineKind.Corrupt;
            }
            prefix = line[1..space];
            prefixEnd = space + 1;
        }
        var rest = line[prefixEnd..];
        var commandEnd = rest.IndexOf((byte)' ');
        var command = commandEnd < 0 ? rest : rest[..commandEnd];
        var parametersStart = prefixEnd + (commandEnd < 0 ? rest.Length : commandEnd + 1);

        if (command.SequenceEqual("PRIVMSG"u8))
        {
            var trailing = line[parametersStart..].IndexOf(" :"u8);
            if (trailing < 0)
            {
                payload = parametersStart..line.Length;
                return LineKind.Corrupt;
            }
            payload = (parametersStart + trailing + 2)..line.Length;
            return LineKind.Message;
        }
        if (command.SequenceEqual("PING"u8))
        {
            reply = [.. "PONG "u8, .. line[parametersStart..], .. "\r\n"u8];
            return LineKind.Ignored;
        }
        if (command.SequenceEqual("001"u8) && session.Step < Registered)
        {
            session.Step = Registered;
            reply = Encoding.ASCII.GetBytes(OperLines(session) + $"JOIN #{session.Room ?? "bench"}\r\n");
            return LineKind.Ignored;
        }
        if (command.SequenceEqual("JOIN"u8) && session.Step == Registered && NickOf(prefix).SequenceEqual(session.NickBytes))
        {
            session.Step = Joined;
            return LineKind.Ready;
        }
        if (command.SequenceEqual("ERROR"u8) || (session.Step < Joined && IsRefusal(command)))
        {
            return session.Step < Joined ? LineKind.Refused : LineKind.ServerError;
        }
        return LineKind.Ignored;
    }

    private string OperLines(DialectSession session)
    {
        if (oper is null || !session.IsSender)
        {
            return "";
        }
        var colon = oper.IndexOf(':');
        return $"OPER {oper[..colon]} {oper[(colon + 1)..]}\r\nMODE {session.Nick} +F\r\n";
    }

    private static ReadOnlySpan<byte> NickOf(ReadOnlySpan<byte> prefix)
    {
        var bang = prefix.IndexOf((byte)'!');
        return bang < 0 ? prefix : prefix[..bang];
    }

    /// <summary>Numerics that end a registration: nickname in use or invalid, channel full or banned, too many channels.</summary>
    private static bool IsRefusal(ReadOnlySpan<byte> command) =>
        command.SequenceEqual("432"u8) || command.SequenceEqual("433"u8) || command.SequenceEqual("405"u8)
        || command.SequenceEqual("471"u8) || command.SequenceEqual("473"u8) || command.SequenceEqual("474"u8);
}
