using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;

namespace Sockchat.Configuration;

/// <summary>
/// Layers the settings, first match wins: command-line flags the user actually typed, then
/// <c>SOCKCHAT_*</c> environment variables (<c>__</c> for nesting), then one chat.json (the
/// <c>--config</c> path, else ./chat.json, else $XDG_CONFIG_HOME/sockchat/chat.json), then the
/// defaults of the settings records. Every problem is collected and reported at once, each naming
/// where its value came from.
/// </summary>
public sealed class SettingsLoader(IConfigurationSource? environment = null, string? workingDirectory = null, string? userConfigDirectory = null)
{
    public const string EnvironmentPrefix = "SOCKCHAT_";
    public const string FileName = "chat.json";

    private static readonly HashSet<string> KnownKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "port", "name", "room", "password",
        "server", "server:maxClients", "server:maxLineBytes", "server:outboxMaxBytes", "server:historyReplay", "server:motd", "server:logLevel",
        "server:historyDb", "server:historyMaxMessages", "server:historyMaxAgeDays", "server:historyMaxTotalMessages",
        "server:maxRooms", "server:maxRoomsPerClient",
        "server:tlsCert", "server:tlsKey", "server:tlsSelfSigned", "server:maxConnectionsPerAddress",
        "server:ratePerSecond", "server:rateBurst", "server:handshakeTimeoutSeconds", "server:pingIntervalSeconds",
        "client:tls", "client:ca", "client:tlsFingerprint", "client:insecure",
        "client", "client:timeoutSeconds", "client:reconnectSeconds", "client:logLevel",
    };

    /// <summary>Which chat.json is used, if any: the explicit path (which must exist), else the first that exists.</summary>
    public string? FindConfigFile(string? explicitPath)
    {
        if (explicitPath is not null)
        {
            var full = Path.GetFullPath(explicitPath, workingDirectory ?? Directory.GetCurrentDirectory());
            return File.Exists(full) ? full : throw new ConfigurationException($"config file {full} does not exist (from --config)");
        }
        var local = Path.Combine(workingDirectory ?? Directory.GetCurrentDirectory(), FileName);
        if (File.Exists(local))
        {
            return local;
        }
        var user = Path.Combine(userConfigDirectory ?? DefaultUserConfigDirectory(), FileName);
        return File.Exists(user) ? user : null;
    }

    public static string DefaultUserConfigDirectory()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        var root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config")
            : xdg;
        return Path.Combine(root, "sockchat");
    }

    /// <summary>Builds the layered view. <paramref name="flags"/> holds only the options given on the command line, by config key.</summary>
    public LayeredSettings Load(IReadOnlyDictionary<string, string?> flags, string? explicitConfigPath)
    {
        var file = FindConfigFile(explicitConfigPath);
        var builder = new ConfigurationBuilder();
        if (file is not null)
        {
            builder.AddJsonFile(file, optional: false, reloadOnChange: false);
        }
        builder.Add(environment ?? new EnvironmentVariablesConfigurationSource { Prefix = EnvironmentPrefix });
        builder.Add(new MemoryConfigurationSource { InitialData = flags });
        IConfigurationRoot root;
        try
        {
            root = builder.Build();
        }
        catch (InvalidDataException ex)
        {
            throw new ConfigurationException($"{file} is not valid JSON: {(ex.InnerException ?? ex).Message}");
        }
        catch (FormatException ex)
        {
            throw new ConfigurationException($"{file} cannot be read: {ex.Message}");
        }
        var warnings = file is null ? [] : UnknownKeys(root.Providers.First(), file);
        var kinds = file is null ? null : JsonKinds(file);
        return new LayeredSettings(root, file, flags.Keys.ToHashSet(StringComparer.OrdinalIgnoreCase), warnings, kinds);
    }

    /// <summary>
    /// The JSON kind of every key in chat.json ("server:maxClients" → Number). The configuration
    /// layers hold only strings, so this is what tells <c>"maxClients": true</c> or
    /// <c>"password": 1234</c> from a value of the right type.
    /// </summary>
    private static Dictionary<string, JsonValueKind> JsonKinds(string file)
    {
        var kinds = new Dictionary<string, JsonValueKind>(StringComparer.OrdinalIgnoreCase);
        // The same leniency as the JSON configuration provider, which has already read the file.
        using var document = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        void Walk(JsonElement element, string? parent)
        {
            foreach (var property in element.EnumerateObject())
            {
                var key = parent is null ? property.Name : $"{parent}:{property.Name}";
                kinds[key] = property.Value.ValueKind;
                if (property.Value.ValueKind == JsonValueKind.Object)
                {
                    Walk(property.Value, key);
                }
            }
        }
        if (document.RootElement.ValueKind == JsonValueKind.Object)
        {
            Walk(document.RootElement, null);
        }
        return kinds;
    }

    private static List<string> UnknownKeys(IConfigurationProvider fileProvider, string file)
    {
        var warnings = new List<string>();
        void Walk(string? parent)
        {
            foreach (var child in fileProvider.GetChildKeys([], parent).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                var key = parent is null ? child : $"{parent}:{child}";
                if (!KnownKeys.Contains(key))
                {
                    warnings.Add($"{file}: unknown key \"{key.Replace(':', '.')}\" ignored");
                }
                else if (!fileProvider.TryGet(key, out _))
                {
                    Walk(key);
                }
            }
        }
        Walk(null);
        return warnings;
    }
}

/// <summary>The layered settings, read key by key with the source of each value at hand for error messages.</summary>
public sealed class LayeredSettings(
    IConfigurationRoot root, string? file, IReadOnlySet<string> flagKeys, IReadOnlyList<string> warnings,
    IReadOnlyDictionary<string, JsonValueKind>? fileKinds = null)
{
    private readonly List<string> _problems = [];

    public string? File { get; } = file;

    public IReadOnlyList<string> Warnings { get; } = warnings;

    /// <summary>Where the value of a key comes from, in words: "--port", "SOCKCHAT_PORT", "/x/chat.json (key port)".</summary>
    public string SourceOf(string key, string flag)
    {
        if (flagKeys.Contains(key))
        {
            return flag;
        }
        var providers = root.Providers.ToList();
        for (var i = providers.Count - 2; i >= 0; i--)
        {
            if (providers[i].TryGet(key, out _) || providers[i].GetChildKeys([], key).Any())
            {
                return providers[i] is EnvironmentVariablesConfigurationProvider or MemoryConfigurationProvider
                    ? SettingsLoader.EnvironmentPrefix + key.Replace(":", "__").ToUpperInvariant()
                    : $"{File} (key \"{key.Replace(':', '.')}\")";
            }
        }
        return "default";
    }

    public string String(string key, string flag, string fallback)
    {
        if (!IsScalar(key, flag) || !HasFileKind(key, flag, JsonValueKind.String, "a string"))
        {
            return fallback;
        }
        var value = root[key];
        if (value is null)
        {
            return fallback;
        }
        if (string.IsNullOrWhiteSpace(value))
        {
            _problems.Add($"{key.Replace(':', '.')} is empty (from {SourceOf(key, flag)})");
            return fallback;
        }
        return value.Trim();
    }

    public string? OptionalString(string key, string flag) =>
        IsScalar(key, flag) && HasFileKind(key, flag, JsonValueKind.String, "a string") && !string.IsNullOrEmpty(root[key]) ? root[key] : null;

    /// <summary>
    /// A string that must not be empty when it is given at all: an empty <c>--password ''</c>
    /// (or variable, or chat.json value) is a mistake, never a way to turn the password off.
    /// </summary>
    public string? OptionalNonEmptyString(string key, string flag)
    {
        if (!IsScalar(key, flag) || !HasFileKind(key, flag, JsonValueKind.String, "a string") || root[key] is not { } value)
        {
            return null;
        }
        if (value.Length == 0)
        {
            _problems.Add($"{key.Replace(':', '.')} is empty (from {SourceOf(key, flag)}): give a value, or leave it out for none");
            return null;
        }
        return value;
    }

    public long Number(string key, string flag, long fallback, long min, long max)
    {
        if (!IsScalar(key, flag) || !HasFileKind(key, flag, JsonValueKind.Number, "a whole number") || root[key] is not { } text)
        {
            return fallback;
        }
        if (!long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            _problems.Add($"{key.Replace(':', '.')} '{text}' is not a whole number (from {SourceOf(key, flag)})");
            return fallback;
        }
        if (value < min || value > max)
        {
            _problems.Add($"{key.Replace(':', '.')} {value} is out of range ({min}-{max}) (from {SourceOf(key, flag)})");
            return fallback;
        }
        return value;
    }

    public bool Bool(string key, string flag, bool fallback)
    {
        if (!IsScalar(key, flag) || !HasFileKind(key, flag, JsonValueKind.True, "true or false") || root[key] is not { } text)
        {
            return fallback;
        }
        if (bool.TryParse(text.Trim(), out var value))
        {
            return value;
        }
        _problems.Add($"{key.Replace(':', '.')} '{text}' is not true or false (from {SourceOf(key, flag)})");
        return fallback;
    }

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

    /// <summary>
    /// When the value comes from chat.json, its JSON type must be the one the key takes (null is
    /// the same as absent); flags and variables are text and are parsed instead.
    /// </summary>
    private bool HasFileKind(string key, string flag, JsonValueKind expected, string what)
    {
        if (fileKinds is null || !fileKinds.TryGetValue(key, out var kind) || kind == JsonValueKind.Null
            || kind == expected || (expected == JsonValueKind.True && kind == JsonValueKind.False))
        {
            return true;
        }
        var source = SourceOf(key, flag);
        if (!source.StartsWith(File!, StringComparison.Ordinal))
        {
            return true; // a flag or a variable overrides the file's value
        }
        var shown = kind switch
        {
            JsonValueKind.String => $"a string ('{root[key]}')",
            JsonValueKind.Number => $"a number ({root[key]})",
            JsonValueKind.True or JsonValueKind.False => $"{root[key]?.ToLowerInvariant()}",
            JsonValueKind.Array => "a list",
            _ => "an object",
        };
        _problems.Add($"{key.Replace(':', '.')} must be {what}, not {shown} (from {source})");
        return false;
    }

    private bool IsScalar(string key, string flag)
    {
        if (root[key] is null && root.GetSection(key).GetChildren().Any())
        {
            _problems.Add($"{key.Replace(':', '.')} must be a single value, not an object or list (from {SourceOf(key, flag)})");
            return false;
        }
        return true;
    }
}
