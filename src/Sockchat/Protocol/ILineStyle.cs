namespace Sockchat.Protocol;

/// <summary>
/// How a screen dresses the lines <see cref="TextRenderer"/> makes (<c>join</c> colours them).
/// The renderer decides what every line says; a style may only wrap that text (colour codes,
/// marks) and lay out a chat line from the parts the renderer gives it. The text dialect uses
/// <see cref="TextRenderer.Plain"/>, which leaves every line as rendered.
/// </summary>
public interface ILineStyle
{
    /// <summary>One line rendered for <paramref name="frame"/>, which is not a chat message (a notice, an error, a direct message, a history page's header or footer).</summary>
    string Line(ServerFrame frame, string text);

    /// <summary>
    /// One chat message, live or from history: <paramref name="time"/> is its rendered time
    /// (<c>[10:15:30]</c>) and <paramref name="room"/> its room prefix (<c>#dev </c>, or empty).
    /// The body after them comes from <see cref="TextRenderer.Body"/>, which keeps an action from
    /// passing for a notice.
    /// </summary>
    string Message(MsgFrame message, string time, string room);
}
