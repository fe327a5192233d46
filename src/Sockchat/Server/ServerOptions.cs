using System.Net;
using System.Security.Cryptography.X509Certificates;
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
    /// <summary>Bytes of messages kept in memory per room at most (with at most <see cref="MaxRooms"/> rooms, the cache's bound).</summary>
    public long HistoryCacheBytes { get; init; } = Room.DefaultCacheBytes;
    public HistoryOptions History { get; init; } = new();
    /// <summary>Cluster mode (issue 11): history, seq, names and presence shared through PostgreSQL; null for a single server on SQLite.</summary>
    public Cluster.ClusterOptions? Cluster { get; init; }
    /// <summary>Most rooms the server holds (with members or history); creating one more is refused with <c>too_many_rooms</c>.</summary>
    public int MaxRooms { get; init; } = 1000;
    /// <summary>Most rooms one connection may be in at once.</summary>
    public int MaxRoomsPerClient { get; init; } = 50;
    /// <summary>Rooms of at least this many members (the one joining or leaving included) batch their joined/left notices.</summary>
    public int PresenceBatchMembers { get; init; } = 100;
    /// <summary>A busy room sends its batched joined/left notices at most once per this interval (and before a pending joiner's first message).</summary>
    public TimeSpan PresenceBatchInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Quiet time after connect before a text prompt for a nickname is sent.</summary>
    public TimeSpan NicknamePromptDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>How long shutdown waits for clients to receive their last frames before dropping them.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>Zone for the text dialect's [HH:MM:SS]; the server's local zone by default.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Local;

    /// <summary>Most simultaneous connections from one remote address (0: no limit).</summary>
    public int MaxConnectionsPerAddress { get; init; } = 100;
    /// <summary>A client that has not said hello (or given a nickname) by then is disconnected.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>After this much silence a JSON client is sent a <c>ping</c> (and text clients are probed by TCP keepalive).</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>A JSON client still silent this long after a <c>ping</c> is disconnected as <c>timeout</c>.</summary>
    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Token bucket: frames a client may send at once, and per second after that (0: no limit).</summary>
    public int RateBurst { get; init; } = 500;
    public int RatePerSecond { get; init; } = 100;
    /// <summary>Frames refused in a row, for any reason (<c>rate_limited</c>, <c>too_long</c>, <c>bad_frame</c>, an error from the hub), before the client is disconnected as <c>kicked</c>.</summary>
    public int FloodDisconnectAfter { get; init; } = 200;
    /// <summary>A line that runs this many times past the line limit without a newline gets its sender disconnected.</summary>
    public int OverlongDisconnectFactor { get; init; } = 8;
    /// <summary>The server password, or null for none.</summary>
    public string? Password { get; init; }
    /// <summary>The TLS certificate (with its private key), or null for plain TCP.</summary>
    public X509Certificate2? Certificate { get; init; }
}
