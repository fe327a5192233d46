using System.CommandLine;

namespace Sockchat.Cli;

/// <summary>
/// Options every command has that are not settings themselves. The settings' options come from
/// <see cref="SettingOptions"/>.
/// </summary>
internal static class CommonOptions
{
    /// <summary>Which chat.json to read: it chooses a layer, so it is no layered setting of its own.</summary>
    public static Option<string> Config() => new("--config", "-c")
    {
        Description = "Read settings from this chat.json (default: ./chat.json, else $XDG_CONFIG_HOME/sockchat/chat.json)",
        HelpName = "file",
    };
}
