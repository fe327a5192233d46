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

    public void AddTo(Command command)
    {
        command.Options.Add(Name);
        command.Options.Add(Room);
        command.Options.Add(Host);
        command.Options.Add(Port);
        command.Options.Add(Config);
        command.Options.Add(Timeout);
    }

    /// <exception cref="ConfigurationException">a setting is invalid</exception>
    public ClientSettings Load(ParseResult parseResult, SettingsLoader loader, TextWriter stderr, params (Option Option, string Key)[] extra)
    {
        var layers = loader.Load(CommonOptions.TypedFlags(parseResult,
            [(Name, "name"), (Room, "room"), (Host, "host"), (Port, "port"), (Timeout, "client:timeoutSeconds"), .. extra]),
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
    };
}
