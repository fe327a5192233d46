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

    /// <summary>The lines to show for a frame; empty for frames people need not see (ack, pong).</summary>
    /// <param name="showRoom">Prefix chat lines with their room (the reader is in several rooms).</param>
    public IReadOnlyList<string> Render(ServerFrame frame, bool showRoom) => frame switch
    {
        WelcomeFrame f => [$"* welcome to {f.ServerName}, {f.Name}. You are in {string.Join(", ", f.Rooms.Select(r => "#" + r))}. Type /help for commands.",
            .. f.Motd is null ? Array.Empty<string>() : [$"* {f.Motd}"]],
        MsgFrame f => [RenderMsg(f, showRoom)],
        DmMessageFrame f => [$"{Time(f.Ts)} [dm] {f.From} -> {f.To}: {f.Text}"],
        JoinedFrame f => [$"{Time(f.Ts)} * {Who(f.Name, f.Count)} joined #{f.Room}"],
        LeftFrame f => [$"{Time(f.Ts)} * {Who(f.Name, f.Count)} left #{f.Room}{(f.Reason is null ? "" : $" ({f.Reason})")}"],
        NickChangedFrame f => [$"{Time(f.Ts)} * {f.Old} is now known as {f.New}"],
        ErrorFrame f => [$"! {f.Code}: {f.Message}"],
        ShutdownFrame f => [$"* server is shutting down: {f.Reason}"],
        WhoReplyFrame f => [$"* in #{f.Room} ({f.Names.Count}): {string.Join(", ", f.Names)}"],
        RoomsReplyFrame f => [$"* rooms: {string.Join(", ", f.Rooms.Select(r => $"#{r.Name} ({r.Members})"))}"],
        HistoryReplyFrame f => f.Messages.Count == 0
            ? [$"* no history in #{f.Room}"]
            : [$"* last {f.Messages.Count} messages in #{f.Room}:", .. f.Messages.Select(m => RenderMsg(m, showRoom)), "* end of history"],
        NoticeFrame f => [f.Text],
        PongFrame => ["* pong"],
        GapFrame f => [$"* {f.To - f.From + 1} of the messages you missed in #{f.Room} are no longer kept (seq {f.From} to {f.To}); the rest follow"],
        _ => [],
    };

    /// <summary>Starts the line of a <c>/me</c> action, where server notices have <c>*</c>: <c>[10:15:30] • alice waves</c>.</summary>
    public const string ActionMark = "\u2022";

    /// <summary>Who a presence notice is about: the name, or "37 people" for a batch.</summary>
    private static string Who(string name, int count) => count > 1 ? $"{count} people" : name;

    public string RenderMsg(MsgFrame f, bool showRoom)
    {
        var room = showRoom ? $"#{f.Room} " : "";
        return $"{Time(f.Ts)} {room}{Body(f, f.From)}";
    }

    /// <summary>A message without time or room: <c>alice: hi</c>, or for an action <c>• alice waves</c>, with the name as given (a client may colour it).</summary>
    public static string Body(MsgFrame f, string name) => f.Action ? $"{ActionMark} {name} {f.Text}" : $"{name}: {f.Text}";

    public string Time(DateTimeOffset ts) =>
        "[" + TimeZoneInfo.ConvertTime(ts, zone).ToString("HH:mm:ss", CultureInfo.InvariantCulture) + "]";
}
