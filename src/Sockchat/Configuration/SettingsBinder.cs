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
            HistoryMaxAgeDays = (int)layers.Number("server:historyMaxAgeDays", "--history-max-age-days", defaults.HistoryMaxAgeDays, 0, 100_000),
        };
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
        };
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
        return settings with { Name = nick!, Room = room! };
    }

    private static void CheckLogLevel(LayeredSettings layers, string level, string key, string flag)
    {
        if (!Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(level, ignoreCase: true, out _))
        {
            layers.Problem($"{key.Replace(':', '.')} '{level}' is not a log level (Trace, Debug, Information, Warning, Error, Critical, None) (from {layers.SourceOf(key, flag)})");
        }
    }
}
