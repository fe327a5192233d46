using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Sockchat.Configuration;

/// <summary>
/// The layered settings (chat.json, then the environment, then the typed flags: the last that
/// has a key wins), read one declared <see cref="Setting"/> at a time. Each value is checked
/// where it is read, and every problem names the value's source: the flag, the variable, or the
/// file and key. Problems are collected until <see cref="ThrowIfInvalid"/>.
/// </summary>
public sealed class LayeredSettings
{
    private readonly IConfigurationRoot _root;
    private readonly IReadOnlyDictionary<string, JsonValueKind>? _fileKinds;
    private readonly IConfigurationProvider? _fileProvider;
    private readonly IConfigurationProvider? _flagProvider;
    private readonly List<string> _problems = [];
    private readonly Dictionary<(Setting, SettingCommands), object?> _read = [];

    /// <param name="root">The layers: the file's provider first (when there is a file), then the environment's, the flags' last.</param>
    internal LayeredSettings(IConfigurationRoot root, string? file, IReadOnlyList<string> warnings, IReadOnlyDictionary<string, JsonValueKind>? fileKinds)
    {
        _root = root;
        File = file;
        Warnings = warnings;
        _fileKinds = fileKinds;
        var providers = root.Providers.ToList();
        _fileProvider = file is null ? null : providers[0];
        _flagProvider = providers.Count > 0 ? providers[^1] : null;
    }

    /// <summary>No layers at all: every setting has its default.</summary>
    public static LayeredSettings Empty() => new(new ConfigurationBuilder().Build(), null, [], null);

    /// <summary>The chat.json in use, if any.</summary>
    public string? File { get; }

    /// <summary>Unknown chat.json keys, one line each.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The settings as one command reads them.</summary>
    public SettingValues For(SettingCommands command) => new(this, command);

    /// <summary>Where the value of a setting comes from, in words: "--port", "SOCKCHAT_PORT", "/x/chat.json (key "port")", "default".</summary>
    public string SourceOf(Setting setting) => Winner(setting.ConfigurationKey) is { } provider ? Describe(provider, setting) : "default";

    /// <summary>Records a problem found by the caller's own rule (a bad name, say).</summary>
    public void Problem(string message) => _problems.Add(message);

    /// <summary>Throws one <see cref="ConfigurationException"/> naming every problem found so far.</summary>
    public void ThrowIfInvalid()
    {
        if (_problems.Count > 0)
        {
            throw new ConfigurationException(string.Join("; ", _problems));
        }
    }

    /// <summary>Reads (once per command: a second read reports no problem twice) a setting's value, else its default.</summary>
    internal T Read<T>(Setting<T> setting, SettingValues values)
    {
        if (_read.TryGetValue((setting, values.Command), out var known))
        {
            return (T)known!;
        }
        var value = ReadLayers(setting, values.Command, out var given) ? given : setting.DefaultFor(values);
        _read[(setting, values.Command)] = value;
        return value;
    }

    private bool ReadLayers<T>(Setting<T> setting, SettingCommands command, out T value)
    {
        value = default!;
        var key = setting.ConfigurationKey;
        if (Winner(key) is not { } provider)
        {
            return false;
        }
        var source = Describe(provider, setting);
        var fromFile = ReferenceEquals(provider, _fileProvider);
        var items = provider.GetChildKeys([], key).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (items.Count > 0)
        {
            if (setting is ListSetting list && ReadItems(list, provider, items, fromFile, source) is { } read)
            {
                value = (T)read;
                return true;
            }
            if (setting is not ListSetting)
            {
                _problems.Add($"{setting.Key} must be a single value, not an object or list (from {source})");
            }
            return false;
        }
        provider.TryGet(key, out var text);
        if (fromFile && !HasJsonType(setting, key, text, source))
        {
            return false;
        }
        if (text is null)
        {
            return false;
        }
        if (setting.TryParse(text, command, source, out value, out var problem))
        {
            return true;
        }
        _problems.Add(problem!);
        return false;
    }

    /// <summary>A list given item by item (a JSON list, <c>__0</c> variables, a repeated flag), or null after a problem.</summary>
    private IReadOnlyList<string>? ReadItems(ListSetting list, IConfigurationProvider provider, List<string> items, bool fromFile, string source)
    {
        var texts = new List<string>();
        foreach (var item in items)
        {
            var path = $"{list.ConfigurationKey}:{item}";
            var nested = provider.GetChildKeys([], path).Any();
            var kind = fromFile && _fileKinds!.TryGetValue(path, out var k) ? k : JsonValueKind.String;
            if (nested || kind != JsonValueKind.String || !provider.TryGet(path, out var text) || text is null)
            {
                _problems.Add($"{list.Key} must be {list.JsonTypeName}, not a list holding {(nested ? "an object or list" : Shown(kind, provider, path))} (from {source})");
                return null;
            }
            texts.Add(text);
        }
        if (list.TryParseItems(texts, source, out var value, out var problem))
        {
            return value;
        }
        _problems.Add(problem!);
        return null;
    }

    /// <summary>
    /// A value from chat.json must have the JSON type its setting takes (null is the same as
    /// absent); flags and variables are text and are parsed instead. False when it has not.
    /// </summary>
    private bool HasJsonType(Setting setting, string key, string? text, string source)
    {
        if (_fileKinds is null || !_fileKinds.TryGetValue(key, out var kind) || setting.Accepts(kind))
        {
            return true;
        }
        if (kind != JsonValueKind.Null)
        {
            _problems.Add($"{setting.Key} must be {setting.JsonTypeName}, not {Shown(kind, text)} (from {source})");
        }
        return false;
    }

    private string Shown(JsonValueKind kind, IConfigurationProvider provider, string path) =>
        Shown(kind, provider.TryGet(path, out var text) ? text : null);

    private static string Shown(JsonValueKind kind, string? text) => kind switch
    {
        JsonValueKind.String => $"a string ('{text}')",
        JsonValueKind.Number => $"a number ({text})",
        JsonValueKind.True or JsonValueKind.False => $"{text?.ToLowerInvariant()}",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "a list",
        _ => "an object",
    };

    /// <summary>The layer whose value counts: the last that has the key, as a value or as a section.</summary>
    private IConfigurationProvider? Winner(string key)
    {
        foreach (var provider in _root.Providers.Reverse())
        {
            if ((provider.TryGet(key, out var text) && (text is not null || ReferenceEquals(provider, _fileProvider)))
                || provider.GetChildKeys([], key).Any())
            {
                return provider;
            }
        }
        return null;
    }

    private string Describe(IConfigurationProvider provider, Setting setting) =>
        ReferenceEquals(provider, _flagProvider) ? setting.Flag ?? "the command line"
        : ReferenceEquals(provider, _fileProvider) ? $"{File} (key \"{setting.Key}\")"
        : setting.EnvironmentName;
}
