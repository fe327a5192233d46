using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;

namespace Sockchat.Configuration;

/// <summary>
/// Layers the settings, first match wins: command-line flags the user actually typed, then
/// <c>SOCKCHAT_*</c> environment variables (<c>__</c> for nesting), then one chat.json (the
/// <c>--config</c> path, else ./chat.json, else $XDG_CONFIG_HOME/sockchat/chat.json), then the
/// defaults declared in <see cref="SettingDeclarations"/>. Every problem is collected and reported
/// at once, each naming where its value came from (see <see cref="LayeredSettings"/>).
/// </summary>
public sealed class SettingsLoader(IConfigurationSource? environment = null, string? workingDirectory = null, string? userConfigDirectory = null)
{
    public const string EnvironmentPrefix = "SOCKCHAT_";
    public const string FileName = "chat.json";

    /// <summary>The declared keys ("server:maxClients"), from <see cref="SettingDeclarations"/>.</summary>
    private static readonly HashSet<string> KnownKeys =
        SettingDeclarations.All.Select(s => s.ConfigurationKey).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The sections that hold declared keys ("server", "client").</summary>
    private static readonly HashSet<string> KnownSections = KnownKeys.SelectMany(Sections).ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static IEnumerable<string> Sections(string key)
    {
        for (var colon = key.IndexOf(':'); colon >= 0; colon = key.IndexOf(':', colon + 1))
        {
            yield return key[..colon];
        }
    }

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

    /// <summary>
    /// Builds the layered view. <paramref name="flags"/> holds only the options given on the
    /// command line, by configuration key ("server:maxClients"; a list's items as "key:0", "key:1").
    /// </summary>
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
        return new LayeredSettings(root, file, warnings, kinds);
    }

    /// <summary>
    /// The JSON kind of every key in chat.json ("server:maxClients" → Number, a list's items as
    /// "key:0", "key:1"). The configuration
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
        void Visit(JsonElement value, string key)
        {
            kinds[key] = value.ValueKind;
            if (value.ValueKind == JsonValueKind.Object)
            {
                Walk(value, key);
            }
            else if (value.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Visit(item, $"{key}:{index++}");
                }
            }
        }
        void Walk(JsonElement element, string? parent)
        {
            foreach (var property in element.EnumerateObject())
            {
                Visit(property.Value, parent is null ? property.Name : $"{parent}:{property.Name}");
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
                if (KnownSections.Contains(key))
                {
                    Walk(key);
                }
                else if (!KnownKeys.Contains(key))
                {
                    warnings.Add($"{file}: unknown key \"{key.Replace(':', '.')}\" ignored");
                }
            }
        }
        Walk(null);
        return warnings;
    }
}
