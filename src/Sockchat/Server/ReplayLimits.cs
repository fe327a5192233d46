using Sockchat.Protocol;

namespace Sockchat.Server;

/// <summary>
/// The bounds on every reply whose size depends on stored history (a <c>since</c> replay, the
/// replay to a joiner, a <c>history</c> page; issue 9). Such a reply is read and queued a page
/// at a time, and the next page only once the client's queue has drained below
/// <see cref="LowWaterBytes"/>, so what the server holds for one client is at most about one
/// page past that mark, however long the replay and however many clients ask at once.
/// </summary>
public static class ReplayLimits
{
    /// <summary>Most messages read into memory at once for one replay.</summary>
    public const int PageMessages = 256;

    /// <summary>Most bytes (by <see cref="Cost"/>) read into memory at once for one replay or history page.</summary>
    public const long PageBytes = 32 * 1024;

    /// <summary>A replay queues its next page only when the client's queue holds at most this many bytes.</summary>
    public const long LowWaterBytes = 32 * 1024;

    /// <summary>The largest <c>limit</c> a <c>history</c> request gets; more is answered with this many (then paged with before/after).</summary>
    public const int MaxHistoryLimit = 500;

    /// <summary>About the bytes a message takes on the wire (its JSON frame), without encoding it.</summary>
    public static long Cost(MsgFrame message) => 96 + message.Text.Length + message.From.Length + message.Room.Length;
}
