using System.Text.Json;

namespace Sockchat.Configuration;

/// <summary>
/// One declared setting: its chat.json key, its flag (if any), its environment variable (derived
/// from the key), its default, what it accepts and its help text. The rows live in
/// <see cref="SettingDeclarations"/>; the command-line options, the known chat.json keys, the
/// validation and the README's table all come from them.
/// </summary>
/// <remarks>
/// host, port and password are shared by the server and its clients; where the server reads one
/// differently, <see cref="ServeHelp"/> (and <see cref="IntegerSetting{T}.ServeMin"/>) say how.
/// </remarks>
public abstract class Setting
{
    private protected Setting(string key, string? flag, string[] aliases)
    {
        Key = key;
        Flag = flag;
        Aliases = aliases;
    }

    /// <summary>The chat.json key, dotted for nesting: <c>server.maxClients</c>.</summary>
    public string Key { get; }

    /// <summary>The long flag (<c>--max-clients</c>), or null when the setting has none.</summary>
    public string? Flag { get; }

    /// <summary>Short aliases of the flag (<c>-p</c>).</summary>
    public IReadOnlyList<string> Aliases { get; }

    /// <summary>The commands that read it; each of them carries the flag.</summary>
    public required SettingCommands UsedBy { get; init; }

    /// <summary>What it does, as the option's help says it (the default is appended to it).</summary>
    public required string Help { get; init; }

    /// <summary>The help of <c>serve</c>, when the server reads a shared setting differently.</summary>
    public string? ServeHelp { get; init; }

    /// <summary>The placeholder in the help's usage line (<c>--port &lt;port&gt;</c>).</summary>
    public string? HelpName { get; init; }

    /// <summary>The default as people read it, in help and in the README; null when there is none.</summary>
    public abstract string? DefaultText { get; }

    /// <summary>The key as Microsoft.Extensions.Configuration spells it: <c>server:maxClients</c>.</summary>
    public string ConfigurationKey => Key.Replace('.', ':');

    /// <summary>The environment variable: <c>SOCKCHAT_SERVER__MAXCLIENTS</c>.</summary>
    public string EnvironmentName => SettingsLoader.EnvironmentPrefix + Key.Replace(".", "__").ToUpperInvariant();

    /// <summary>The help text for one command, with the default appended.</summary>
    public string HelpFor(SettingCommands command)
    {
        var help = command == SettingCommands.Serve && ServeHelp is not null ? ServeHelp : Help;
        if (this is TextSetting { AllowedValues: { } allowed })
        {
            help = $"{help}: {string.Join(", ", allowed)}";
        }
        return DefaultText is null || this is SwitchSetting ? help : $"{help} [default: {DefaultText}]";
    }

    /// <summary>The JSON type chat.json must give, in words: "a whole number".</summary>
    internal abstract string JsonTypeName { get; }

    /// <summary>Whether a chat.json value of this JSON kind is of the right type (null always is: it means absent).</summary>
    internal abstract bool Accepts(JsonValueKind kind);

    public override string ToString() => Key;
}

/// <summary>A setting whose value is a <typeparamref name="T"/>.</summary>
public abstract class Setting<T> : Setting
{
    private protected Setting(string key, string? flag, string[] aliases) : base(key, flag, aliases)
    {
    }

    /// <summary>The value when no layer gives one.</summary>
    public T Default { get; init; } = default!;

    /// <summary>
    /// A default computed when it is needed, from the environment or from other settings
    /// (<c>values => values.Get(Port) + 1</c>); it needs its own <see cref="DefaultText"/>.
    /// </summary>
    public Func<SettingValues, T>? DefaultFrom { get; init; }

    /// <summary>Overrides how the default reads in help and the README (needed with <see cref="DefaultFrom"/>).</summary>
    public string? DefaultShown { get; init; }

    public override string? DefaultText => DefaultShown ?? (DefaultFrom is null ? Show(Default) : null);

    /// <summary>The value when no layer gives one, computed if need be.</summary>
    internal T DefaultFor(SettingValues values) => DefaultFrom is null ? Default : DefaultFrom(values);

    /// <summary>How a value reads in help, the README and problems.</summary>
    internal abstract string? Show(T value);

    /// <summary>
    /// Parses a value given as text (by a flag, a variable, or chat.json once its JSON type is
    /// right), or says what is wrong with it; <paramref name="source"/> is where it came from.
    /// </summary>
    internal abstract bool TryParse(string text, SettingCommands command, string source, out T value, out string? problem);
}
