namespace Sockchat.Protocol;

/// <summary>Bytes or frames that cannot be understood, carrying the protocol error code to answer with.</summary>
public sealed class ProtocolException(string code, string message) : SockchatException(message)
{
    public string Code { get; } = code;
}
