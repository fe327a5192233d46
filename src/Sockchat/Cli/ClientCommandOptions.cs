using System.CommandLine;
using Sockchat.Client;
using Sockchat.Configuration;

namespace Sockchat.Cli;

/// <summary>The options <c>join</c> and <c>say</c> share, and turning them into <see cref="ClientSettings"/>.</summary>
internal sealed class ClientCommandOptions
{
    public Option<string> Name { get; } = new("--name", "-n") { Description = "Your nickname [default: $USER]", HelpName = "name" };
    public Option<string> Room { get; } = new("--room", "-r") { Description = "Room to use [default: general]", HelpName = "room" };
    public Option<string> Host { get; } = CommonOptions.Host("Server address [default: 127.0.0.1]");
    public Option<int> Port { get; } = CommonOptions.Port($"Server port [default: {Protocol.ProtocolLimits.DefaultPort}]");
    public Option<string> Config { get; } = CommonOptions.Config();
    public Option<int> Timeout { get; } = CommonOptions.Timeout();
    public Option<bool> Tls { get; } = new("--tls") { Description = "Connect with TLS, trusting the system's CAs, else the fingerprint remembered for this server" };
    public Option<string> Ca { get; } = new("--ca") { Description = "Trust server certificates issued by this CA (PEM); implies --tls", HelpName = "file" };
    public Option<string> Fingerprint { get; } = new("--tls-fingerprint") { Description = "Trust only the server certificate with this SHA-256 fingerprint; implies --tls", HelpName = "sha256" };
    public Option<bool> Insecure { get; } = new("--insecure") { Description = "TLS without checking the certificate at all (testing only); implies --tls" };
    public Option<string> Password { get; } = new("--password") { Description = "The server's password (also SOCKCHAT_PASSWORD)", HelpName = "secret" };

    public void AddTo(Command command)
    {
        command.Options.Add(Name);
        command.Options.Add(Room);
        command.Options.Add(Host);
        command.Options.Add(Port);
        command.Options.Add(Config);
        command.Options.Add(Timeout);
        command.Options.Add(Tls);
        command.Options.Add(Ca);
        command.Options.Add(Fingerprint);
        command.Options.Add(Insecure);
        command.Options.Add(Password);
    }

    /// <exception cref="ConfigurationException">a setting is invalid</exception>
    public ClientSettings Load(ParseResult parseResult, SettingsLoader loader, TextWriter stderr, params (Option Option, string Key)[] extra)
    {
        var layers = loader.Load(CommonOptions.TypedFlags(parseResult,
            [(Name, "name"), (Room, "room"), (Host, "host"), (Port, "port"), (Timeout, "client:timeoutSeconds"),
                (Tls, "client:tls"), (Ca, "client:ca"), (Fingerprint, "client:tlsFingerprint"), (Insecure, "client:insecure"),
                (Password, "password"), .. extra]),
            parseResult.GetValue(Config));
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
