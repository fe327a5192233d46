using System.Globalization;

namespace Sockchat.Protocol;

/// <summary>
/// Renders server frames as the text dialect's human-readable lines, e.g.
/// <c>[10:15:30] alice: hello</c>, <c>[10:15:30] * alice joined #general</c>,
/// <c>! name_taken: that name is in use</c>. Used by the server for text clients and by
/// <c>join</c> for its screen. Times are shown in the given zone (the server's for text
/// clients, the user's for join).
/// <para>
/// Server notices start with <c>* </c> (after the time); a <c>/me</c> action starts with
/// <see cref="ActionMark"/> and its sender's name, and chat lines with the name and a colon.
/// No user text can forge a notice (issue 9: <c>/me is now known as admin</c> rendered
/// exactly like a rename): text comes only after a name, and a name holds neither spaces nor
/// <c>*</c> nor <c>•</c>.
/// </para>
/// </summary>
public sealed class TextRenderer(TimeZoneInfo zone)
{
    public static TextRenderer Local { get; } = new(TimeZoneInfo.Local);

    /// <summary>The style that leaves every line as rendered: the text dialect's.</summary>
    public static ILineStyle Plain { get; } = new PlainStyle();

    /// <summary>The lines to show for a frame; empty for frames people need not see (ack, pong).</summary>
    /// <param name="showRoom">Prefix chat lines with their room (the reader is in several rooms).</param>
    public IReadOnlyList<string> Render(ServerFrame frame, bool showRoom) => Render(frame, showRoom, Plain);

    /// <summary>The lines to show for a frame, each dressed by <paramref name="style"/>.</summary>
    public IReadOnlyList<string> Render(ServerFrame frame, bool showRoom, ILineStyle style) => frame switch
    {
        WelcomeFrame f => [style.Line(f, $"* welcome to {f.ServerName}, {f.Name}. You are in {string.Join(", ", f.Rooms.Select(r => "#" + r))}. Type /help for commands."),
            .. f.Motd is null ? Array.Empty<string>() : [style.Line(f, $"* {f.Motd}")]],
        MsgFrame f => [RenderMsg(f, showRoom, style)],
        DmMessageFrame f => [style.Line(f, $"{Time(f.Ts)} [dm] {f.From} -> {f.To}: {f.Text}")],
        JoinedFrame f => [style.Line(f, $"{Time(f.Ts)} * {Who(f.Name, f.Count)} joined #{f.Room}")],
        LeftFrame f => [style.Line(f, $"{Time(f.Ts)} * {Who(f.Name, f.Count)} left #{f.Room}{(f.Reason is null ? "" : $" ({f.Reason})")}")],
        NickChangedFrame f => [style.Line(f, $"{Time(f.Ts)} * {f.Old} is now known as {f.New}")],
        ErrorFrame f => [style.Line(f, $"! {f.Code}: {f.Message}")],
        ShutdownFrame f => [style.Line(f, $"* server is shutting down: {f.Reason}")],
        WhoReplyFrame f => [style.Line(f, $"* in #{f.Room} ({f.Names.Count}): {string.Join(", ", f.Names)}")],
        RoomsReplyFrame f => [style.Line(f, $"* rooms: {string.Join(", ", f.Rooms.Select(r => $"#{r.Name} ({r.Members})"))}")],
        HistoryReplyFrame f => f.Messages.Count == 0
            ? [style.Line(f, $"* no history in #{f.Room}")]
            : [style.Line(f, $"* last {f.Messages.Count} messages in #{f.Room}:"), .. f.Messages.Select(m => RenderMsg(m, showRoom, style)), style.Line(f, "* end of history")],
        NoticeFrame f => [style.Line(f, f.Text)],
        PongFrame f => [style.Line(f, "* pong")],
        GapFrame f => [style.Line(f, $"* {f.To - f.From + 1} of the messages you missed in #{f.Room} are no longer kept (seq {f.From} to {f.To}); the rest follow")],
        _ => [],
    };

    /// <summary>Starts the line of a <c>/me</c> action, where server notices have <c>*</c>: <c>[10:15:30] • alice waves</c>.</summary>
    public const string ActionMark = "\u2022";

    /// <summary>Who a presence notice is about: the name, or "37 people" for a batch.</summary>
    private static string Who(string name, int count) => count > 1 ? $"{count} people" : name;

    private string RenderMsg(MsgFrame f, bool showRoom, ILineStyle style) => style.Message(f, Time(f.Ts), showRoom ? $"#{f.Room} " : "");

    /// <summary>A message without time or room: <c>alice: hi</c>, or for an action <c>• alice waves</c>, with the name as given (a client may colour it).</summary>
    public static string Body(MsgFrame f, string name) => f.Action ? $"{ActionMark} {name} {f.Text}" : $"{name}: {f.Text}";

    public string Time(DateTimeOffset ts) =>
        "[" + TimeZoneInfo.ConvertTime(ts, zone).ToString("HH:mm:ss", CultureInfo.InvariantCulture) + "]";

    private sealed class PlainStyle : ILineStyle
    {
        public string Line(ServerFrame frame, string text) => text;

        public string Message(MsgFrame message, string time, string room) => $"{time} {room}{Body(message, message.From)}";
    }
}
