using System.Text;

namespace Sockchat.Bench;

/// <summary>The per-client state a dialect keeps between lines (the IRC handshake has steps). Owned by one client.</summary>
public sealed class DialectSession(int clientIndex, bool isSender, string? room)
{
    public int ClientIndex { get; } = clientIndex;

    public bool IsSender { get; } = isSender;

    /// <summary>The room (or channel, without '#') this client joins; null for the dialect's default.</summary>
    public string? Room { get; } = room;

    public string Nick { get; } = $"b{clientIndex}";

    public byte[] NickBytes { get; } = Encoding.ASCII.GetBytes($"b{clientIndex}");

    /// <summary>How far the handshake has got; each dialect numbers its own steps.</summary>
    public int Step { get; set; }
}
