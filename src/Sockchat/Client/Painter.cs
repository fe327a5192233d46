using Sockchat.Protocol;

namespace Sockchat.Client;

/// <summary>
/// Turns server frames into the lines <c>join</c> shows: the text dialect's format in local time,
/// coloured when the screen allows (names in a stable colour each, notices dim, errors red,
/// replayed history dim and marked). Without colour the lines are plain text for pipes.
/// </summary>
public sealed class Painter(TextRenderer renderer, bool color)
{
    private static readonly string[] NameColors = ["31", "32", "33", "34", "35", "36", "91", "92", "93", "94", "95", "96"];
    private const string Dim = "2";

    public IEnumerable<string> Paint(ServerFrame frame, bool showRoom, string? me) => frame switch
    {
        MsgFrame msg => [PaintMsg(msg, showRoom, me)],
        HistoryReplyFrame page => page.Messages.Count == 0
            ? [Wrap(Dim, $"* no history in #{page.Room}")]
            : [Wrap(Dim, $"* last {page.Messages.Count} messages in #{page.Room}:"), .. page.Messages.Select(m => PaintMsg(m, showRoom, me)), Wrap(Dim, "* end of history")],
        ErrorFrame => renderer.Render(frame, showRoom).Select(l => Wrap("31", l)),
        DmMessageFrame => renderer.Render(frame, showRoom).Select(l => Wrap("35", l)),
        ShutdownFrame or JoinedFrame or LeftFrame or NickChangedFrame or WhoReplyFrame or RoomsReplyFrame or NoticeFrame or WelcomeFrame or GapFrame =>
            renderer.Render(frame, showRoom).Select(l => Wrap(Dim, l)),
        _ => renderer.Render(frame, showRoom),
    };

    public string Notice(string text) => Wrap(Dim, text);

    public string Error(string text) => Wrap("31", text);

    private string PaintMsg(MsgFrame msg, bool showRoom, string? me)
    {
        var time = renderer.Time(msg.Ts);
        var room = showRoom ? $"#{msg.Room} " : "";
        var mark = msg.History ? "(history) " : "";
        // Actions carry TextRenderer's action mark, never the "* " of server notices (issue 9: no /me can pass for one).
        var plain = TextRenderer.Body(msg, msg.From);
        if (!color)
        {
            return $"{time} {mark}{room}{plain}";
        }
        return msg.History
            ? Wrap(Dim, $"{time} {mark}{room}{plain}")
            : $"{Wrap(Dim, time)} {room}{TextRenderer.Body(msg, Wrap(msg.From == me ? "1" : NameColor(msg.From), msg.From))}";
    }

    private static string NameColor(string name)
    {
        var hash = 0u;
        foreach (var c in name)
        {
            hash = (hash * 31) + c;
        }
        return NameColors[hash % (uint)NameColors.Length];
    }

    private string Wrap(string sgr, string text) => color ? $"\u001b[{sgr}m{text}\u001b[0m" : text;
}
