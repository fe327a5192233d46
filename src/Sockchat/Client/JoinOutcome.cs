namespace Sockchat.Client;

/// <summary>How a <c>join</c> session ended; the CLI maps it to an exit code.</summary>
public enum JoinOutcome
{
    /// <summary>The user left: /quit, exit, end of input.</summary>
    Quit,
    /// <summary>The server announced its shutdown and closed the connection.</summary>
    ServerShutdown,
    /// <summary>The connection dropped without a goodbye.</summary>
    ConnectionLost,
    /// <summary>Ctrl+C.</summary>
    Interrupted,
}
