using D = Sockchat.Configuration.SettingDeclarations;

namespace Sockchat.Configuration;

/// <summary>
/// Settings of <c>sockchat serve</c>, after layering and validation. Each property reads one row
/// of <see cref="SettingDeclarations"/>, where its default, range and help live.
/// </summary>
public sealed record ServeSettings
{
    /// <summary>Every setting at its default.</summary>
    public ServeSettings() : this(LayeredSettings.Empty().For(SettingCommands.Serve))
    {
    }

    public ServeSettings(SettingValues values)
    {
        Host = values.Get(D.Host);
        Port = values.Get(D.Port);
        MaxClients = values.Get(D.MaxClients);
        MaxLineBytes = values.Get(D.MaxLineBytes);
        OutboxMaxBytes = values.Get(D.OutboxMaxBytes);
        HistoryReplay = values.Get(D.HistoryReplay);
        Motd = values.Get(D.Motd);
        LogLevel = values.Get(D.ServerLogLevel);
        HistoryDb = values.Get(D.HistoryDb);
        Cluster = values.Get(D.Cluster);
        ClusterLeaseSeconds = values.Get(D.ClusterLeaseSeconds);
        HistoryMaxMessages = values.Get(D.HistoryMaxMessages);
        HistoryMaxTotalMessages = values.Get(D.HistoryMaxTotalMessages);
        MaxRooms = values.Get(D.MaxRooms);
        MaxRoomsPerClient = values.Get(D.MaxRoomsPerClient);
        HistoryMaxAgeDays = values.Get(D.HistoryMaxAgeDays);
        Password = values.Get(D.Password);
        TlsCert = values.Get(D.TlsCert);
        TlsKey = values.Get(D.TlsKey);
        TlsSelfSigned = values.Get(D.TlsSelfSigned);
        MaxConnectionsPerAddress = values.Get(D.MaxConnectionsPerAddress);
        RatePerSecond = values.Get(D.RatePerSecond);
        RateBurst = values.Get(D.RateBurst);
        HandshakeTimeoutSeconds = values.Get(D.HandshakeTimeoutSeconds);
        PingIntervalSeconds = values.Get(D.PingIntervalSeconds);
        WebPort = values.Get(D.WebPort);
        WebDisabled = values.Get(D.WebDisabled);
        WebAllowedOrigins = values.Get(D.WebAllowedOrigins);
    }

    public string Host { get; init; }
    public int Port { get; init; }
    public int MaxClients { get; init; }
    public int MaxLineBytes { get; init; }
    public long OutboxMaxBytes { get; init; }
    public int HistoryReplay { get; init; }
    public string? Motd { get; init; }
    public string LogLevel { get; init; }
    /// <summary>The SQLite history file, or ":memory:" for a throwaway server.</summary>
    public string HistoryDb { get; init; }
    /// <summary>The cluster's PostgreSQL (connection string or postgres:// URL), or null for a single node on SQLite.</summary>
    public string? Cluster { get; init; }
    /// <summary>Seconds of silence after which a cluster node counts as dead.</summary>
    public int ClusterLeaseSeconds { get; init; }
    /// <summary>Most messages kept per room; 0 keeps all.</summary>
    public int HistoryMaxMessages { get; init; }
    /// <summary>Most messages kept over all rooms together, the oldest first removed; 0: no such bound.</summary>
    public int HistoryMaxTotalMessages { get; init; }
    /// <summary>Most rooms the server holds; creating one more is refused with too_many_rooms.</summary>
    public int MaxRooms { get; init; }
    /// <summary>Most rooms one connection may be in at once.</summary>
    public int MaxRoomsPerClient { get; init; }
    /// <summary>Oldest message kept, in days; 0 keeps all.</summary>
    public int HistoryMaxAgeDays { get; init; }
    public string? Password { get; init; }
    public string? TlsCert { get; init; }
    public string? TlsKey { get; init; }
    public bool TlsSelfSigned { get; init; }
    public int MaxConnectionsPerAddress { get; init; }
    public int RatePerSecond { get; init; }
    public int RateBurst { get; init; }
    public int HandshakeTimeoutSeconds { get; init; }
    public int PingIntervalSeconds { get; init; }
    /// <summary>The web page's port (0: a free one).</summary>
    public int WebPort { get; init; }
    /// <summary>True: no web port at all.</summary>
    public bool WebDisabled { get; init; }
    /// <summary>Origins besides the page's own that may open /ws.</summary>
    public IReadOnlyList<string> WebAllowedOrigins { get; init; }
}

/// <summary>Settings of <c>sockchat join</c> and <c>sockchat say</c>, read as <see cref="ServeSettings"/> are.</summary>
public sealed record ClientSettings
{
    /// <summary>Every setting at its default.</summary>
    public ClientSettings() : this(LayeredSettings.Empty().For(SettingCommands.Clients))
    {
    }

    /// <param name="values">The settings as join or say reads them (<see cref="SettingCommands.Clients"/> reads both).</param>
    public ClientSettings(SettingValues values)
    {
        Host = values.Get(D.Host);
        Port = values.Get(D.Port);
        Name = values.Get(D.Name);
        Room = values.Get(D.Room);
        Timeout = TimeSpan.FromSeconds(values.Get(D.ClientTimeoutSeconds));
        ReconnectFor = TimeSpan.FromSeconds(values.Get(D.ClientReconnectSeconds));
        LogLevel = values.Get(D.ClientLogLevel);
        Password = values.Get(D.Password);
        Tls = values.Get(D.ClientTls);
        Ca = values.Get(D.ClientCa);
        TlsFingerprint = values.Get(D.ClientTlsFingerprint);
        Insecure = values.Get(D.ClientInsecure);
    }

    public string Host { get; init; }
    public int Port { get; init; }
    public string Name { get; init; }
    public string Room { get; init; }
    public TimeSpan Timeout { get; init; }
    /// <summary>How long <c>join</c> keeps trying to reconnect after losing the connection (0: never).</summary>
    public TimeSpan ReconnectFor { get; init; }
    public string LogLevel { get; init; }
    public string? Password { get; init; }
    public bool Tls { get; init; }
    public string? Ca { get; init; }
    public string? TlsFingerprint { get; init; }
    public bool Insecure { get; init; }
}
