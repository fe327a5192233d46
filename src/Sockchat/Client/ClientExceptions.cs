using Sockchat.Protocol;

namespace Sockchat.Client;

// The ways a client connection can fail, each mapped by the CLI to its own exit code. Kept in one
// file: they are one-line types that only make sense side by side.

/// <summary>The server could not be reached: refused, unreachable, unknown host. Exit code 3.</summary>
public class ChatServerUnreachableException(string message, Exception? inner = null) : SockchatException(message, inner);

/// <summary>The server said no: name taken or invalid, server full, bad password. Exit code 4.</summary>
public sealed class ChatRefusedException(string code, string message) : SockchatException(message)
{
    public string Code { get; } = code;
}

/// <summary>The server did not answer in time. Exit code 5.</summary>
public sealed class ChatTimeoutException(string message) : SockchatException(message);

/// <summary>The connection dropped while work was outstanding. Exit code 6.</summary>
public sealed class ConnectionLostException(string message, Exception? inner = null) : SockchatException(message, inner);
