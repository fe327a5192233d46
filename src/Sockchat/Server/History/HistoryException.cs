using Sockchat.Protocol;

namespace Sockchat.Server;

/// <summary>The history file cannot be used: corrupt, unwritable, or written by a newer sockchat. The server must not start.</summary>
public sealed class HistoryException(string message, Exception? inner = null) : SockchatException(message, inner);
