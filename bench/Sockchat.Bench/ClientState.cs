namespace Sockchat.Bench;

public enum ClientState
{
    Connecting,
    Handshaking,
    Ready,
    /// <summary>Never became ready: the connect failed, the server refused it, or closed it during the handshake.</summary>
    Failed,
    /// <summary>Was ready, then the server closed the connection.</summary>
    Disconnected,
}
