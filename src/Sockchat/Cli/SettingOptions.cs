using System.CommandLine;
using Sockchat.Configuration;

namespace Sockchat.Cli;

/// <summary>
/// The options of one command, made from <see cref="SettingDeclarations"/>: one per declared
/// setting the command uses that has a flag, with the row's help text and default shown, and no
/// default value factory (a parser default would hide the environment and chat.json; defaults
/// live in the rows). Only flags the user actually typed become configuration entries.
/// </summary>
internal sealed class SettingOptions
{
    private readonly List<(Setting Setting, Option Option)> _options;

    public SettingOptions(SettingCommands command) : this(SettingDeclarations.For(command), command)
    {
    }

    /// <summary>Options for the given settings (tests declare settings of their own).</summary>
    internal SettingOptions(IEnumerable<Setting> settings, SettingCommands command)
    {
        _options = settings
            .Where(setting => setting.Flag is not null)
            .Select(setting => (setting, Create(setting, command)))
            .ToList();
    }

    public IEnumerable<Option> Options => _options.Select(o => o.Option);

    public void AddTo(Command command)
    {
        foreach (var (_, option) in _options)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The typed flags as configuration entries (key → text; a list's items as key:0, key:1 …).</summary>
    public Dictionary<string, string?> Typed(ParseResult parseResult)
    {
        var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (setting, option) in _options)
        {
            if (parseResult.GetResult(option) is not { Implicit: false } result)
            {
                continue;
            }
            if (setting is ListSetting)
            {
                for (var i = 0; i < result.Tokens.Count; i++)
                {
                    flags[$"{setting.ConfigurationKey}:{i}"] = result.Tokens[i].Value;
                }
            }
            else
            {
                // A switch typed without a value (--tls) has no token.
                flags[setting.ConfigurationKey] = result.Tokens.Count > 0 ? string.Join(" ", result.Tokens.Select(t => t.Value)) : "true";
            }
        }
        return flags;
    }

    /// <remarks>
    /// A number's option takes text: the declaration parses and checks it, so "--port 70000" and
    /// "--port abc" get the same message, naming the flag and the range, as a variable or chat.json would.
    /// </remarks>
    private static Option Create(Setting setting, SettingCommands command) => setting switch
    {
        SwitchSetting => Make<bool>(setting, command),
        ListSetting => Make<string[]>(setting, command),
        _ => Make<string>(setting, command),
    };

    private static Option<T> Make<T>(Setting setting, SettingCommands command) => new(setting.Flag!, [.. setting.Aliases])
    {
        Description = setting.HelpFor(command),
        HelpName = setting.HelpName,
    };
}
