using Sockchat.Protocol;

namespace Sockchat.Configuration;

/// <summary>
/// Every setting, declared once: chat.json key, flag, default, range and help text (the
/// environment variable is derived from the key). The options of each command, the chat.json
/// keys that are known, the validation and the README's configuration table (checked by a test)
/// all come from these rows.
/// </summary>
/// <remarks>
/// Adding a setting: one row here (and in <see cref="All"/>), then its use: a property on the
/// settings record that reads it, and whatever the server or client does with it. Its flag
/// appears on the commands in <see cref="Setting.UsedBy"/> by itself; add its row to the README's
/// table and a value to chat.json.example (the tests say what they expect).
/// </remarks>
public static class SettingDeclarations
{
    private static readonly string[] LogLevels = ["Trace", "Debug", "Information", "Warning", "Error", "Critical", "None"];

    public static readonly TextSetting Host = new("host", "--host")
    {
        UsedBy = SettingCommands.All,
        Default = "127.0.0.1",
        Help = "Server address",
        ServeHelp = "Address to listen on: 127.0.0.1 (this machine only), 0.0.0.0 or :: (everywhere)",
        HelpName = "host",
    };

    public static readonly IntegerSetting<int> Port = new("port", "--port", "-p")
    {
        UsedBy = SettingCommands.All,
        Default = ProtocolLimits.DefaultPort,
        Min = 1,
        ServeMin = 0,
        Max = 65535,
        Help = "Server port",
        ServeHelp = "Port to listen on; 0 picks a free one",
        HelpName = "port",
    };

    public static readonly TextSetting Name = new("name", "--name", "-n")
    {
        UsedBy = SettingCommands.Clients,
        DefaultFrom = _ => LoginName(),
        DefaultShown = "$USER",
        Help = "Your nickname",
        HelpName = "name",
    };

    public static readonly TextSetting Room = new("room", "--room", "-r")
    {
        UsedBy = SettingCommands.Clients,
        Default = ProtocolLimits.DefaultRoom,
        Help = "Room to use",
        HelpName = "room",
    };

    public static readonly IntegerSetting<int> ClientTimeoutSeconds = new("client.timeoutSeconds", "--timeout")
    {
        UsedBy = SettingCommands.Clients,
        Default = 10,
        Min = 1,
        Max = 3600,
        Help = "Seconds to wait for the server to answer",
        HelpName = "seconds",
    };

    public static readonly IntegerSetting<int> ClientReconnectSeconds = new("client.reconnectSeconds", "--reconnect-seconds")
    {
        UsedBy = SettingCommands.Join,
        Default = 60,
        Min = 0,
        Max = 86_400,
        Help = "Keep trying this long to reconnect after the connection drops; 0 never reconnects",
        HelpName = "seconds",
    };

    public static readonly TextSetting ClientLogLevel = new("client.logLevel")
    {
        UsedBy = SettingCommands.Clients,
        Default = "Warning",
        AllowedValues = LogLevels,
        AllowedName = "a log level",
        Help = "Log detail on stderr",
    };

    public static readonly IntegerSetting<int> MaxClients = new("server.maxClients", "--max-clients")
    {
        UsedBy = SettingCommands.Serve,
        Default = 10_000,
        Min = 1,
        Max = 1_000_000,
        Help = "Most clients connected at once",
        HelpName = "n",
    };

    public static readonly IntegerSetting<int> MaxLineBytes = new("server.maxLineBytes", "--max-line-bytes")
    {
        UsedBy = SettingCommands.Serve,
        Default = ProtocolLimits.DefaultMaxLineBytes,
        Min = 256,
        Max = 16 * 1024 * 1024,
        Help = "Longest line a client may send",
        HelpName = "bytes",
    };

    public static readonly IntegerSetting<long> OutboxMaxBytes = new("server.outboxMaxBytes")
    {
        UsedBy = SettingCommands.Serve,
        Default = 2 * 1024 * 1024,
        Min = 64 * 1024,
        Max = 1L << 32,
        Help = "Bytes queued for one client before it is dropped as slow",
    };

    public static readonly TextSetting HistoryDb = new("server.historyDb", "--history-db")
    {
        UsedBy = SettingCommands.Serve,
        DefaultFrom = _ => DataHome("sockchat", "history.db"),
        DefaultShown = "$XDG_DATA_HOME/sockchat/history.db",
        Help = "SQLite file for message history, or :memory: to keep none after exit",
        HelpName = "file",
    };

    public static readonly OptionalTextSetting Cluster = new("cluster", "--cluster")
    {
        UsedBy = SettingCommands.Serve,
        RefuseEmpty = true,
        Help = "Run as one node of a cluster sharing rooms, history and names through this PostgreSQL (a connection string or postgres://user@host:port/db; the password from PGPASSWORD or a .pgpass file); excludes --history-db",
        HelpName = "connection",
    };

    public static readonly IntegerSetting<int> ClusterLeaseSeconds = new("server.clusterLeaseSeconds", "--cluster-lease")
    {
        UsedBy = SettingCommands.Serve,
        Default = 30,
        Min = 3,
        Max = 300,
        Help = "Cluster mode: a node silent this long is taken for dead, and its users leave (reason disconnected); it beats every third of it",
        HelpName = "seconds",
    };

    public static readonly IntegerSetting<int> HistoryMaxMessages = new("server.historyMaxMessages", "--history-max-messages")
    {
        UsedBy = SettingCommands.Serve,
        Default = 10_000,
        Min = 0,
        Help = "Most messages kept per room; 0 keeps all",
        HelpName = "n",
    };

    public static readonly IntegerSetting<int> HistoryMaxTotalMessages = new("server.historyMaxTotalMessages", "--history-max-total")
    {
        UsedBy = SettingCommands.Serve,
        Default = 1_000_000,
        Min = 0,
        Help = "Most messages kept over all rooms together, the oldest removed first; 0 for no such bound",
        HelpName = "n",
    };

    public static readonly IntegerSetting<int> MaxRooms = new("server.maxRooms", "--max-rooms")
    {
        UsedBy = SettingCommands.Serve,
        Default = 1000,
        Min = 1,
        Max = 1_000_000,
        Help = "Most rooms the server holds (with members or history)",
        HelpName = "n",
    };

    public static readonly IntegerSetting<int> MaxRoomsPerClient = new("server.maxRoomsPerClient", "--max-rooms-per-client")
    {
        UsedBy = SettingCommands.Serve,
        Default = 50,
        Min = 1,
        Max = 10_000,
        Help = "Most rooms one connection may be in",
        HelpName = "n",
    };

    public static readonly IntegerSetting<int> HistoryMaxAgeDays = new("server.historyMaxAgeDays", "--history-max-age-days")
    {
        UsedBy = SettingCommands.Serve,
        Default = 0,
        Min = 0,
        Max = 100_000,
        Help = "Delete messages older than this; 0 keeps all",
        HelpName = "days",
    };

    public static readonly IntegerSetting<int> HistoryReplay = new("server.historyReplay")
    {
        UsedBy = SettingCommands.Serve,
        Default = 50,
        Min = 0,
        Max = 1000,
        Help = "Messages replayed to a joiner",
    };

    public static readonly OptionalTextSetting Motd = new("server.motd", "--motd")
    {
        UsedBy = SettingCommands.Serve,
        Help = "Message of the day, shown to everyone who joins",
        HelpName = "text",
    };

    public static readonly TextSetting ServerLogLevel = new("server.logLevel", "--log-level")
    {
        UsedBy = SettingCommands.Serve,
        Default = "Information",
        AllowedValues = LogLevels,
        AllowedName = "a log level",
        Help = "Log detail on stderr",
        HelpName = "level",
    };

    public static readonly OptionalTextSetting Password = new("password", "--password")
    {
        UsedBy = SettingCommands.All,
        RefuseEmpty = true,
        Help = "The server's password (SOCKCHAT_PASSWORD keeps it off the command line)",
        ServeHelp = "Clients must give this password (SOCKCHAT_PASSWORD keeps it off the command line)",
        HelpName = "secret",
    };

    public static readonly OptionalTextSetting TlsCert = new("server.tlsCert", "--tls-cert")
    {
        UsedBy = SettingCommands.Serve,
        Help = "Serve TLS with this certificate: a PEM file (with --tls-key) or a .pfx",
        HelpName = "file",
    };

    public static readonly OptionalTextSetting TlsKey = new("server.tlsKey", "--tls-key")
    {
        UsedBy = SettingCommands.Serve,
        Help = "The PEM private key of --tls-cert",
        HelpName = "file",
    };

    public static readonly SwitchSetting TlsSelfSigned = new("server.tlsSelfSigned", "--tls-self-signed")
    {
        UsedBy = SettingCommands.Serve,
        Help = "Serve TLS with a throwaway self-signed certificate made at start; its fingerprint is printed",
    };

    public static readonly IntegerSetting<int> MaxConnectionsPerAddress = new("server.maxConnectionsPerAddress", "--max-per-address")
    {
        UsedBy = SettingCommands.Serve,
        Default = 100,
        Min = 0,
        Max = 1_000_000,
        Help = "Most connections from one address; 0 for no limit",
        HelpName = "n",
    };

    public static readonly IntegerSetting<int> RatePerSecond = new("server.ratePerSecond", "--rate")
    {
        UsedBy = SettingCommands.Serve,
        Default = 100,
        Min = 0,
        Max = 1_000_000,
        Help = "Messages a client may send per second; 0 for no limit",
        HelpName = "n",
    };

    public static readonly IntegerSetting<int> RateBurst = new("server.rateBurst", "--rate-burst")
    {
        UsedBy = SettingCommands.Serve,
        Default = 500,
        Min = 1,
        Max = 1_000_000,
        Help = "Messages a client may send at once before --rate applies",
        HelpName = "n",
    };

    public static readonly IntegerSetting<int> HandshakeTimeoutSeconds = new("server.handshakeTimeoutSeconds", "--handshake-timeout")
    {
        UsedBy = SettingCommands.Serve,
        Default = 10,
        Min = 1,
        Max = 3600,
        Help = "Seconds a new connection has to say hello or give a nickname",
        HelpName = "seconds",
    };

    public static readonly IntegerSetting<int> PingIntervalSeconds = new("server.pingIntervalSeconds", "--ping-interval")
    {
        UsedBy = SettingCommands.Serve,
        Default = 60,
        Min = 1,
        Max = 86_400,
        Help = "Seconds of silence before a client is pinged; no answer in half that again and it is dropped",
        HelpName = "seconds",
    };

    public static readonly SwitchSetting ClientTls = new("client.tls", "--tls")
    {
        UsedBy = SettingCommands.Clients,
        Help = "Connect with TLS, trusting the system's CAs, else the fingerprint remembered for this server",
    };

    public static readonly OptionalTextSetting ClientCa = new("client.ca", "--ca")
    {
        UsedBy = SettingCommands.Clients,
        Help = "Trust server certificates issued by this CA (PEM); implies --tls",
        HelpName = "file",
    };

    public static readonly OptionalTextSetting ClientTlsFingerprint = new("client.tlsFingerprint", "--tls-fingerprint")
    {
        UsedBy = SettingCommands.Clients,
        Help = "Trust only the server certificate with this SHA-256 fingerprint; implies --tls",
        HelpName = "sha256",
    };

    public static readonly SwitchSetting ClientInsecure = new("client.insecure", "--insecure")
    {
        UsedBy = SettingCommands.Clients,
        Help = "TLS without checking the certificate at all (testing only); implies --tls",
    };

    public static readonly IntegerSetting<int> WebPort = new("web.port", "--web-port")
    {
        UsedBy = SettingCommands.Serve,
        DefaultFrom = v => v.Get(Port) is 0 or 65535 ? 0 : v.Get(Port) + 1,
        DefaultShown = "port + 1",
        Min = 0,
        Max = 65535,
        Help = "Port of the web page and its WebSocket (/ws), /healthz and /metrics; 0 picks a free one",
        HelpName = "port",
    };

    public static readonly SwitchSetting WebDisabled = new("web.disabled", "--no-web")
    {
        UsedBy = SettingCommands.Serve,
        Help = "Serve no web page (the chat port only)",
    };

    public static readonly ListSetting WebAllowedOrigins = new("web.allowedOrigins", "--web-allowed-origin")
    {
        UsedBy = SettingCommands.Serve,
        Help = "Origins besides the page's own that may open /ws (scheme://host[:port], e.g. a proxy's public name); repeat the flag for more",
        HelpName = "origin",
    };

    /// <summary>Every row, in the order of the README's table and of each command's help.</summary>
    public static readonly IReadOnlyList<Setting> All =
    [
        Host, Port, Name, Room, ClientTimeoutSeconds, ClientReconnectSeconds, ClientLogLevel,
        MaxClients, MaxLineBytes, OutboxMaxBytes, HistoryDb, Cluster, ClusterLeaseSeconds, HistoryMaxMessages, HistoryMaxTotalMessages,
        MaxRooms, MaxRoomsPerClient, HistoryMaxAgeDays, HistoryReplay, Motd, ServerLogLevel, Password,
        TlsCert, TlsKey, TlsSelfSigned, MaxConnectionsPerAddress, RatePerSecond, RateBurst,
        HandshakeTimeoutSeconds, PingIntervalSeconds, WebPort, WebDisabled, WebAllowedOrigins, ClientTls, ClientCa, ClientTlsFingerprint, ClientInsecure,
    ];

    /// <summary>The settings one command reads, in table order.</summary>
    public static IEnumerable<Setting> For(SettingCommands command) => All.Where(s => (s.UsedBy & command) != 0);

    /// <summary>The login name ($USER), which people expect as their chat name.</summary>
    private static string LoginName()
    {
        var user = Environment.GetEnvironmentVariable("USER");
        return string.IsNullOrWhiteSpace(user) ? Environment.UserName : user;
    }

    /// <summary>A path under $XDG_DATA_HOME, else ~/.local/share.</summary>
    private static string DataHome(params string[] parts)
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share")
            : xdg;
        return Path.Combine([root, .. parts]);
    }
}
