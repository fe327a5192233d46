namespace Sockchat.Server;

/// <summary>The <c>reason</c> values of <c>left</c> frames.</summary>
public static class LeaveReasons
{
    public const string Quit = "quit";
    public const string Disconnected = "disconnected";
    public const string Timeout = "timeout";
    public const string Kicked = "kicked";
    public const string Shutdown = "shutdown";
    /// <summary>The client stopped reading and its outbound queue passed its limit.</summary>
    public const string Slow = "slow";
}
