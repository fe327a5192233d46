using Sockchat.Protocol;

namespace Sockchat.Configuration;

/// <summary>Settings of <c>sockchat serve</c>, after layering and validation. Defaults live here and only here.</summary>
public sealed record ServeSettings
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = ProtocolLimits.DefaultPort;
    public int MaxClients { get; init; } = 10_000;
    public int MaxLineBytes { get; init; } = ProtocolLimits.DefaultMaxLineBytes;
    public long OutboxMaxBytes { get; init; } = 2 * 1024 * 1024;
    public int HistoryReplay { get; init; } = 50;
    public string? Motd { get; init; }
    public string LogLevel { get; init; } = "Information";
    /// <summary>The SQLite history file, or ":memory:" for a throwaway server.</summary>
    public string HistoryDb { get; init; } = DefaultHistoryDb();
    /// <summary>Most messages kept per room; 0 keeps all.</summary>
    public int HistoryMaxMessages { get; init; } = 10_000;
    /// <summary>Most messages kept over all rooms together, the oldest first removed; 0: no such bound.</summary>
    public int HistoryMaxTotalMessages { get; init; } = 1_000_000;
    /// <summary>Most rooms the server holds; creating one more is refused with too_many_rooms.</summary>
    public int MaxRooms { get; init; } = 1000;
    /// <summary>Most rooms one connection may be in at once.</summary>
    public int MaxRoomsPerClient { get; init; } = 50;
    /// <summary>Oldest message kept, in days; 0 keeps all.</summary>
    public int HistoryMaxAgeDays { get; init; }
    public string? Password { get; init; }
    public string? TlsCert { get; init; }
    public string? TlsKey { get; init; }
    public bool TlsSelfSigned { get; init; }
    public int MaxConnectionsPerAddress { get; init; } = 100;
    public int RatePerSecond { get; init; } = 100;
    public int RateBurst { get; init; } = 500;
    public int HandshakeTimeoutSeconds { get; init; } = 10;
    public int PingIntervalSeconds { get; init; } = 60;

    /// <summary>$XDG_DATA_HOME/sockchat/history.db, else ~/.local/share/sockchat/history.db.</summary>
    public static string DefaultHistoryDb()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share")
            : xdg;
        return Path.Combine(root, "sockchat", "history.db");
    }
}

/// <summary>Settings of <c>sockchat join</c> and <c>sockchat say</c>.</summary>
public sealed record ClientSettings
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = ProtocolLimits.DefaultPort;
    public string Name { get; init; } = DefaultName();
    public string Room { get; init; } = ProtocolLimits.DefaultRoom;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How long <c>join</c> keeps trying to reconnect after losing the connection (0: never).</summary>
    public TimeSpan ReconnectFor { get; init; } = TimeSpan.FromSeconds(60);
    public string LogLevel { get; init; } = "Warning";
    public string? Password { get; init; }
    public bool Tls { get; init; }
    public string? Ca { get; init; }
    public string? TlsFingerprint { get; init; }
    public bool Insecure { get; init; }

    /// <summary>The login name ($USER), which people expect as their chat name.</summary>
    public static string DefaultName()
    {
        var user = Environment.GetEnvironmentVariable("USER");
        return string.IsNullOrWhiteSpace(user) ? Environment.UserName : user;
    }
}
