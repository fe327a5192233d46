namespace Sockchat.Protocol;

/// <summary>Fixed numbers of the wire protocol and the defaults the server announces in <c>welcome</c>.</summary>
public static class ProtocolLimits
{
    public const int ProtocolVersion = 1;
    public const int DefaultMaxLineBytes = 16 * 1024;
    public const int MaxNameLength = 32;
    public const int MaxRoomLength = 32;
    public const string DefaultRoom = "general";
    public const int DefaultPort = 7070;
}
