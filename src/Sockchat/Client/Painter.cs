using Sockchat.Protocol;

namespace Sockchat.Client;

/// <summary>
/// Turns server frames into the lines <c>join</c> shows: the text dialect's format in local time,
/// coloured when the screen allows (names in a stable colour each, notices dim, errors red,
/// replayed history dim and marked). Without colour the lines are plain text for pipes.
/// What each line says is <see cref="TextRenderer"/>'s; the painter is only an
/// <see cref="ILineStyle"/> that colours it and marks history.
/// </summary>
public sealed class Painter(TextRenderer renderer, bool color)
{
    private static readonly string[] NameColors = ["31", "32", "33", "34", "35", "36", "91", "92", "93", "94", "95", "96"];
    private const string Dim = "2";
    private const string Red = "31";
    private const string Magenta = "35";
    private const string Bold = "1";

    /// <param name="me">The user's own name, shown bold rather than in a name colour.</param>
    public IReadOnlyList<string> Paint(ServerFrame frame, bool showRoom, string? me) => renderer.Render(frame, showRoom, new Style(this, me));

    public string Notice(string text) => Wrap(Dim, text);

    public string Error(string text) => Wrap(Red, text);

    private string Wrap(string sgr, string text) => color ? $"\u001b[{sgr}m{text}\u001b[0m" : text;

    private static string NameColor(string name)
    {
        var hash = 0u;
        foreach (var c in name)
        {
            hash = (hash * 31) + c;
        }
        return NameColors[hash % (uint)NameColors.Length];
    }

    /// <summary>join's look for one frame's lines; <c>me</c> is the user's name when they were painted.</summary>
    private sealed class Style(Painter painter, string? me) : ILineStyle
    {
        public string Line(ServerFrame frame, string text) => frame switch
        {
            ErrorFrame => painter.Wrap(Red, text),
            DmMessageFrame => painter.Wrap(Magenta, text),
            ShutdownFrame or JoinedFrame or LeftFrame or NickChangedFrame or WhoReplyFrame or RoomsReplyFrame or NoticeFrame or WelcomeFrame or GapFrame or HistoryReplyFrame =>
                painter.Wrap(Dim, text),
            _ => text, // a /ping's pong

        };

        public string Message(MsgFrame message, string time, string room)
        {
            if (!message.History)
            {
                var name = painter.Wrap(message.From == me ? Bold : NameColor(message.From), message.From);
                return $"{painter.Wrap(Dim, time)} {room}{TextRenderer.Body(message, name)}";
            }
            // Replayed history is marked, and dimmed whole.
            return painter.Wrap(Dim, $"{time} (history) {room}{TextRenderer.Body(message, message.From)}");
        }
    }
}
