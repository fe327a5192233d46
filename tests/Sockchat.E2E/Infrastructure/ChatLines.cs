using System.Text.RegularExpressions;

namespace Sockchat.E2E.Infrastructure;

/// <summary>
/// The lines <c>join</c> and text-dialect clients show, as whole-line patterns; <c>[HH:MM:SS]</c>
/// must be a real clock time. Names and texts are matched literally.
/// </summary>
public static class ChatLines
{
    /// <summary>A 24-hour clock time in brackets.</summary>
    public const string Time = @"\[(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\]";

    public static Regex Welcome(string name) => new($@"^\* welcome to sockchat, {Regex.Escape(name)}\. ");

    public static Regex Message(string from, string text) => Line($"{Time} {Regex.Escape(from)}: {Regex.Escape(text)}");

    /// <summary>A message replayed from the room's history (to a newcomer, or one resuming after a reconnect).</summary>
    public static Regex HistoryMessage(string from, string text) => Line($@"{Time} \(history\) {Regex.Escape(from)}: {Regex.Escape(text)}");

    /// <summary>A message, whether seen live or replayed from history.</summary>
    public static Regex MessageLiveOrReplayed(string from, string text) =>
        Line($@"{Time} (?:\(history\) )?{Regex.Escape(from)}: {Regex.Escape(text)}");

    public static Regex DirectMessage(string from, string to, string text) =>
        Line($@"{Time} \[dm\] {Regex.Escape(from)} -> {Regex.Escape(to)}: {Regex.Escape(text)}");

    public static Regex Joined(string name, string room = "general") => Line($@"{Time} \* {Regex.Escape(name)} joined #{room}");

    public static Regex Left(string name, string reason, string room = "general") =>
        Line($@"{Time} \* {Regex.Escape(name)} left #{room} \({Regex.Escape(reason)}\)");

    public static Regex NickChanged(string oldName, string newName) =>
        Line($@"{Time} \* {Regex.Escape(oldName)} is now known as {Regex.Escape(newName)}");

    public static Regex ServerShuttingDown { get; } = new(@"^\* server is shutting down: .+$");

    public static Regex DisconnectedByShutdown { get; } = Line(@"\* disconnected: the server shut down");

    public static Regex DisconnectedByLostConnection { get; } = Line(@"\* disconnected: the connection to the server was lost");

    public static Regex Reconnecting { get; } = new(@"^\* reconnecting\.\.\.");

    public static Regex Reconnected { get; } = Line(@"\* reconnected");

    private static Regex Line(string pattern) => new($"^{pattern}$");
}
