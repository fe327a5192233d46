using System.CommandLine;
using Sockchat.Client;
using Sockchat.Configuration;

namespace Sockchat.Cli;

/// <summary>The options of <c>join</c> or <c>say</c> that are settings (and --config), and turning them into <see cref="ClientSettings"/>.</summary>
internal sealed class ClientCommandOptions(SettingCommands command)
{
    private readonly SettingOptions _settings = new(command);

    public Option<string> Config { get; } = CommonOptions.Config();

    public void AddTo(Command command)
    {
        _settings.AddTo(command);
        command.Options.Add(Config);
    }

    /// <exception cref="ConfigurationException">a setting is invalid</exception>
    public ClientSettings Load(ParseResult parseResult, SettingsLoader loader, TextWriter stderr)
    {
        var layers = loader.Load(_settings.Typed(parseResult), parseResult.GetValue(Config));
        ErrorReporter.Warn(stderr, layers.Warnings);
        return SettingsBinder.Client(layers);
    }

    public static ClientOptions ToClientOptions(ClientSettings settings, bool presence) => new()
    {
        Host = settings.Host,
        Port = settings.Port,
        Name = settings.Name,
        Room = settings.Room,
        Presence = presence,
        Timeout = settings.Timeout,
        Password = settings.Password,
        Tls = settings.Tls
            ? new TlsClientOptions
            {
                Fingerprint = settings.TlsFingerprint,
                CaFile = settings.Ca,
                Insecure = settings.Insecure,
                KnownHostsPath = Path.Combine(SettingsLoader.DefaultUserConfigDirectory(), "known_hosts"),
            }
            : null,
    };
}
