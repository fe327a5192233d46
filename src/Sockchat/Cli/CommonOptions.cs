using System.CommandLine;

namespace Sockchat.Cli;

/// <summary>
/// Options shared by several commands, and the bridge from typed flags to configuration keys.
/// Layered options have no default value factory: a parser default would hide the environment
/// and chat.json. Only flags actually typed become configuration entries.
/// </summary>
internal static class CommonOptions
{
    public static Option<string> Host(string description) => new("--host") { Description = description, HelpName = "host" };

    public static Option<int> Port(string description) => new("--port", "-p") { Description = description, HelpName = "port" };

    public static Option<string> Config() => new("--config", "-c")
    {
        Description = "Read settings from this chat.json (default: ./chat.json, else $XDG_CONFIG_HOME/sockchat/chat.json)",
        HelpName = "file",
    };

    public static Option<string> LogLevel(string defaultLevel) => new("--log-level")
    {
        Description = $"Log detail on stderr: Trace, Debug, Information, Warning, Error, Critical, None [default: {defaultLevel}]",
        HelpName = "level",
    };

    public static Option<int> Timeout() => new("--timeout")
    {
        Description = "Seconds to wait for the server to answer [default: 10]",
        HelpName = "seconds",
    };

    /// <summary>Collects the typed options as configuration keys (flag → key).</summary>
    public static Dictionary<string, string?> TypedFlags(ParseResult parseResult, params (Option Option, string Key)[] map)
    {
        var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (option, key) in map)
        {
            if (parseResult.GetResult(option) is { Implicit: false } result)
            {
                flags[key] = result.Tokens.Count > 0
                    ? string.Join(" ", result.Tokens.Select(t => t.Value))
                    : "true";
            }
        }
        return flags;
    }
}
