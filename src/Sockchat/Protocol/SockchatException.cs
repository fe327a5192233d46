namespace Sockchat.Protocol;

/// <summary>Base of every exception sockchat throws on purpose; anything else is a bug.</summary>
public class SockchatException(string message, Exception? inner = null) : Exception(message, inner);
