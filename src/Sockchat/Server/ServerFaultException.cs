using Sockchat.Protocol;

namespace Sockchat.Server;

/// <summary>One of the server's own loops (accepting, storing, fan-out) failed: the server shut down rather than go on half-working.</summary>
public sealed class ServerFaultException(string message, Exception? inner = null) : SockchatException(message, inner);
