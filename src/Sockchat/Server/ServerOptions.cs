using System.Net;
using Sockchat.Protocol;

namespace Sockchat.Server;

/// <summary>Everything the server needs to run, already validated. Built by the CLI from the settings.</summary>
public sealed record ServerOptions
{
    public IPEndPoint EndPoint { get; init; } = new(IPAddress.Loopback, ProtocolLimits.DefaultPort);
    public string ServerName { get; init; } = "sockchat";
    public string Version { get; init; } = "0.0.0";
    public string? Motd { get; init; }
    public int MaxClients { get; init; } = 10_000;
    public int MaxLineBytes { get; init; } = ProtocolLimits.DefaultMaxLineBytes;
    /// <summary>Bytes queued for one client before it counts as not reading and is disconnected as <c>slow</c>.</summary>
    public long OutboxMaxBytes { get; init; } = 2 * 1024 * 1024;
    /// <summary>Messages replayed to a joiner.</summary>
    public int HistoryReplay { get; init; } = 50;
    /// <summary>Latest messages per room kept in memory, so joins and short reconnects never wait for the disk.</summary>
    public int HistoryCache { get; init; } = 1000;
    public HistoryOptions History { get; init; } = new();
    /// <summary>Quiet time after connect before a text prompt for a nickname is sent.</summary>
    public TimeSpan NicknamePromptDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>How long shutdown waits for clients to receive their last frames before dropping them.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>Zone for the text dialect's [HH:MM:SS]; the server's local zone by default.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Local;
}
