namespace Sockchat.Protocol;

/// <summary>
/// The text dialect's input: a plain line is a message to the current room, a line starting with
/// <c>/</c> is a command. <c>//text</c> sends the literal <c>/text</c>. Shared by the server (for
/// nc/telnet clients) and by <c>join</c>, which turns what its user types into JSON frames.
/// </summary>
public static class TextCommands
{
    public const string HelpText =
        "commands: /help · /who [room] · /rooms · /join room · /part [room] · /msg name text · " +
        "/me action · /nick name · /history [n] · /quiet [off] · /quit [reason] · a plain line goes to the current room (//text sends /text)";

    /// <summary>Parses one typed line. Never throws; bad usage becomes an <see cref="InvalidFrame"/> with a usage message.</summary>
    public static ClientFrame Parse(string line)
    {
        var text = TextSanitizer.Clean(line);
        if (!text.StartsWith('/') || text.StartsWith("//", StringComparison.Ordinal))
        {
            return new SayFrame(null, text.StartsWith('/') ? text[1..] : text, null);
        }
        var (command, rest) = SplitFirst(text[1..]);
        return command.ToLowerInvariant() switch
        {
            "help" or "?" => new HelpFrame(),
            "who" or "names" => new WhoFrame(NullIfEmpty(rest)),
            "rooms" or "list" => new RoomsFrame(),
            "join" or "j" => rest.Length > 0 ? new JoinFrame(SplitFirst(rest).Head) : Usage("/join room"),
            "part" or "leave" => new PartFrame(NullIfEmpty(SplitFirst(rest).Head)),
            "msg" or "dm" or "query" => ParseMsg(rest),
            "me" => rest.Length > 0 ? new SayFrame(null, rest, null, Action: true) : Usage("/me action"),
            "nick" => rest.Length > 0 ? new NickFrame(SplitFirst(rest).Head) : Usage("/nick name"),
            "history" => ParseHistory(rest),
            "quit" or "exit" or "bye" => new QuitFrame(NullIfEmpty(rest)),
            "ping" => new PingFrame(null),
            "quiet" => ParseQuiet(rest),
            _ => new UnknownFrame(command, null),
        };
    }

    private static ClientFrame ParseMsg(string rest)
    {
        var (to, text) = SplitFirst(rest);
        return to.Length > 0 && text.Length > 0 ? new DmFrame(to, text, null) : Usage("/msg name text");
    }

    private static ClientFrame ParseQuiet(string rest) => SplitFirst(rest).Head.ToLowerInvariant() switch
    {
        "" or "on" => new QuietFrame(true),
        "off" => new QuietFrame(false),
        _ => Usage("/quiet [off]"),
    };

    private static ClientFrame ParseHistory(string rest)
    {
        if (rest.Length == 0)
        {
            return new HistoryFrame(null, null, null, null);
        }
        return int.TryParse(SplitFirst(rest).Head, out var n) && n > 0
            ? new HistoryFrame(null, null, null, n)
            : Usage("/history [n], n a positive number");
    }

    private static InvalidFrame Usage(string usage) => new(ErrorCodes.BadFrame, $"usage: {usage}", null);

    private static (string Head, string Tail) SplitFirst(string s)
    {
        s = s.Trim();
        var space = s.IndexOfAny([' ', '\t']);
        return space < 0 ? (s, "") : (s[..space], s[(space + 1)..].Trim());
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}
