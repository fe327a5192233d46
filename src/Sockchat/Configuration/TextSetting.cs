using System.Text.Json;

namespace Sockchat.Configuration;

/// <summary>
/// A string that always has a value (a default, or one computed): an empty or blank value is a
/// problem, and values are trimmed. <see cref="AllowedValues"/>, when given, is the whole choice
/// (compared ignoring case).
/// </summary>
public sealed class TextSetting(string key, string? flag = null, params string[] aliases) : Setting<string>(key, flag, aliases)
{
    /// <summary>The values it takes, if not any text; help lists them.</summary>
    public IReadOnlyList<string>? AllowedValues { get; init; }

    /// <summary>What one of <see cref="AllowedValues"/> is called in a problem: "a log level".</summary>
    public string AllowedName { get; init; } = "an allowed value";

    internal override string JsonTypeName => "a string";

    internal override bool Accepts(JsonValueKind kind) => kind == JsonValueKind.String;

    internal override string? Show(string value) => value;

    internal override bool TryParse(string text, SettingCommands command, string source, out string value, out string? problem)
    {
        value = text.Trim();
        problem = null;
        if (value.Length == 0)
        {
            problem = $"{Key} is empty (from {source})";
        }
        else if (AllowedValues is not null && !AllowedValues.Contains(value, StringComparer.OrdinalIgnoreCase))
        {
            problem = $"{Key} '{text}' is not {AllowedName} ({string.Join(", ", AllowedValues)}) (from {source})";
        }
        return problem is null;
    }
}
