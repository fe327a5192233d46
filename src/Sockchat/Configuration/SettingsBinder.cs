using Sockchat.Protocol;
using D = Sockchat.Configuration.SettingDeclarations;

namespace Sockchat.Configuration;

/// <summary>
/// Reads validated settings records out of the layered configuration, reporting every problem at
/// once. Each value's own checks (type, range, emptiness) come with its declaration; the rules
/// here are the ones between settings, or that need more than the value (a name, a file).
/// </summary>
public static class SettingsBinder
{
    public static ServeSettings Serve(LayeredSettings layers)
    {
        var values = layers.For(SettingCommands.Serve);
        var settings = new ServeSettings(values);
        if (settings.TlsCert is not null && settings.TlsSelfSigned)
        {
            layers.Problem($"{Given(values, D.TlsCert)} and {Given(values, D.TlsSelfSigned)} exclude each other: choose one");
        }
        if (settings.TlsKey is not null && settings.TlsCert is null)
        {
            layers.Problem($"{Given(values, D.TlsKey)} needs a certificate too: {Ways(D.TlsCert, SettingCommands.Serve)}");
        }
        if (settings.Cluster is not null && values.SourceOf(D.HistoryDb) != "default")
        {
            layers.Problem($"{Given(values, D.Cluster)} and {Given(values, D.HistoryDb)} exclude each other: a cluster keeps its history in PostgreSQL; choose one");
        }
        layers.ThrowIfInvalid();
        return settings;
    }

    public static ClientSettings Client(LayeredSettings layers)
    {
        var values = layers.For(SettingCommands.Clients);
        var settings = new ClientSettings(values);
        if (settings.Ca is not null && !File.Exists(settings.Ca))
        {
            layers.Problem($"ca file {settings.Ca} does not exist (from {values.SourceOf(D.ClientCa)})");
        }
        if (!Names.TryNormalizeNick(settings.Name, out var nick, out var problem))
        {
            layers.Problem($"name: {problem} (from {values.SourceOf(D.Name)})");
        }
        if (!Names.TryNormalizeRoom(settings.Room, out var room, out problem))
        {
            layers.Problem($"room: {problem} (from {values.SourceOf(D.Room)})");
        }
        layers.ThrowIfInvalid();
        // A pin, a CA or --insecure only make sense with TLS, so they switch it on.
        var tls = settings.Tls || settings.Ca is not null || settings.TlsFingerprint is not null || settings.Insecure;
        return settings with { Name = nick!, Room = room!, Tls = tls };
    }

    /// <summary>A setting and where it was given: "server.tlsCert (from SOCKCHAT_SERVER__TLSCERT)".</summary>
    private static string Given(SettingValues values, Setting setting) => $"{setting.Key} (from {values.SourceOf(setting)})";

    /// <summary>The ways to give a setting to a command: "--tls-cert, SOCKCHAT_SERVER__TLSCERT or chat.json key server.tlsCert".</summary>
    private static string Ways(Setting setting, SettingCommands command) =>
        (setting.Flag is { } flag && (setting.UsedBy & command) != 0 ? $"{flag}, " : "")
        + $"{setting.EnvironmentName} or chat.json key {setting.Key}";
}
