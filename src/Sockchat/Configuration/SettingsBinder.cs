using Sockchat.Protocol;

namespace Sockchat.Configuration;

/// <summary>Reads validated settings records out of the layered configuration, reporting every problem at once.</summary>
public static class SettingsBinder
{
    public static ServeSettings Serve(LayeredSettings layers)
    {
        var defaults = new ServeSettings();
        var settings = new ServeSettings
        {
            Host = layers.String("host", "--host", defaults.Host),
            Port = (int)layers.Number("port", "--port", defaults.Port, 0, 65535),
            MaxClients = (int)layers.Number("server:maxClients", "--max-clients", defaults.MaxClients, 1, 1_000_000),
            MaxLineBytes = (int)layers.Number("server:maxLineBytes", "--max-line-bytes", defaults.MaxLineBytes, 256, 16 * 1024 * 1024),
            OutboxMaxBytes = layers.Number("server:outboxMaxBytes", "--outbox-max-bytes", defaults.OutboxMaxBytes, 64 * 1024, 1L << 32),
            HistoryReplay = (int)layers.Number("server:historyReplay", "--history-replay", defaults.HistoryReplay, 0, 1000),
            Motd = layers.OptionalString("server:motd", "--motd"),
            LogLevel = layers.String("server:logLevel", "--log-level", defaults.LogLevel),
            HistoryDb = layers.String("server:historyDb", "--history-db", defaults.HistoryDb),
            HistoryMaxMessages = (int)layers.Number("server:historyMaxMessages", "--history-max-messages", defaults.HistoryMaxMessages, 0, int.MaxValue),
            HistoryMaxTotalMessages = (int)layers.Number("server:historyMaxTotalMessages", "--history-max-total", defaults.HistoryMaxTotalMessages, 0, int.MaxValue),
            MaxRooms = (int)layers.Number("server:maxRooms", "--max-rooms", defaults.MaxRooms, 1, 1_000_000),
            MaxRoomsPerClient = (int)layers.Number("server:maxRoomsPerClient", "--max-rooms-per-client", defaults.MaxRoomsPerClient, 1, 10_000),
            HistoryMaxAgeDays = (int)layers.Number("server:historyMaxAgeDays", "--history-max-age-days", defaults.HistoryMaxAgeDays, 0, 100_000),
            Password = layers.OptionalNonEmptyString("password", "--password"),
            TlsCert = layers.OptionalString("server:tlsCert", "--tls-cert"),
            TlsKey = layers.OptionalString("server:tlsKey", "--tls-key"),
            TlsSelfSigned = layers.Bool("server:tlsSelfSigned", "--tls-self-signed", false),
            MaxConnectionsPerAddress = (int)layers.Number("server:maxConnectionsPerAddress", "--max-per-address", defaults.MaxConnectionsPerAddress, 0, 1_000_000),
            RatePerSecond = (int)layers.Number("server:ratePerSecond", "--rate", defaults.RatePerSecond, 0, 1_000_000),
            RateBurst = (int)layers.Number("server:rateBurst", "--rate-burst", defaults.RateBurst, 1, 1_000_000),
            HandshakeTimeoutSeconds = (int)layers.Number("server:handshakeTimeoutSeconds", "--handshake-timeout", defaults.HandshakeTimeoutSeconds, 1, 3600),
            PingIntervalSeconds = (int)layers.Number("server:pingIntervalSeconds", "--ping-interval", defaults.PingIntervalSeconds, 1, 86_400),
        };
        if (settings.TlsCert is not null && settings.TlsSelfSigned)
        {
            layers.Problem("--tls-cert and --tls-self-signed exclude each other: choose one");
        }
        if (settings.TlsKey is not null && settings.TlsCert is null)
        {
            layers.Problem("--tls-key needs --tls-cert");
        }
        CheckLogLevel(layers, settings.LogLevel, "server:logLevel", "--log-level");
        layers.ThrowIfInvalid();
        return settings;
    }

    public static ClientSettings Client(LayeredSettings layers)
    {
        var defaults = new ClientSettings();
        var settings = new ClientSettings
        {
            Host = layers.String("host", "--host", defaults.Host),
            Port = (int)layers.Number("port", "--port", defaults.Port, 1, 65535),
            Name = layers.String("name", "--name", defaults.Name),
            Room = layers.String("room", "--room", defaults.Room),
            Timeout = TimeSpan.FromSeconds(layers.Number("client:timeoutSeconds", "--timeout", (long)defaults.Timeout.TotalSeconds, 1, 3600)),
            ReconnectFor = TimeSpan.FromSeconds(layers.Number("client:reconnectSeconds", "--reconnect-seconds", (long)defaults.ReconnectFor.TotalSeconds, 0, 86_400)),
            LogLevel = layers.String("client:logLevel", "--log-level", defaults.LogLevel),
            Password = layers.OptionalNonEmptyString("password", "--password"),
            Tls = layers.Bool("client:tls", "--tls", false),
            Ca = layers.OptionalString("client:ca", "--ca"),
            TlsFingerprint = layers.OptionalString("client:tlsFingerprint", "--tls-fingerprint"),
            Insecure = layers.Bool("client:insecure", "--insecure", false),
        };
        if (settings.Ca is not null && !File.Exists(settings.Ca))
        {
            layers.Problem($"ca file {settings.Ca} does not exist (from {layers.SourceOf("client:ca", "--ca")})");
        }
        if (!Names.TryNormalizeNick(settings.Name, out var nick, out var problem))
        {
            layers.Problem($"name: {problem} (from {layers.SourceOf("name", "--name")})");
        }
        if (!Names.TryNormalizeRoom(settings.Room, out var room, out problem))
        {
            layers.Problem($"room: {problem} (from {layers.SourceOf("room", "--room")})");
        }
        CheckLogLevel(layers, settings.LogLevel, "client:logLevel", "--log-level");
        layers.ThrowIfInvalid();
        // A pin, a CA or --insecure only make sense with TLS, so they switch it on.
        var tls = settings.Tls || settings.Ca is not null || settings.TlsFingerprint is not null || settings.Insecure;
        return settings with { Name = nick!, Room = room!, Tls = tls };
    }

    private static void CheckLogLevel(LayeredSettings layers, string level, string key, string flag)
    {
        // The non-generic overload parses the same way and is precompiled (the generic one is JIT-compiled at every start).
        if (!Enum.TryParse(typeof(Microsoft.Extensions.Logging.LogLevel), level, ignoreCase: true, out _))
        {
            layers.Problem($"{key.Replace(':', '.')} '{level}' is not a log level (Trace, Debug, Information, Warning, Error, Critical, None) (from {layers.SourceOf(key, flag)})");
        }
    }
}
