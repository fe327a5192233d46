using System.Text.Json;

namespace Sockchat.Configuration;

/// <summary>
/// A string with no default (a file, a message of the day): absent is null. An empty value also
/// means none, unless <see cref="RefuseEmpty"/> says an empty one is a mistake (a password: an
/// empty one must never turn the password off). Values are kept as given, spaces included.
/// </summary>
public sealed class OptionalTextSetting(string key, string? flag = null, params string[] aliases) : Setting<string?>(key, flag, aliases)
{
    public bool RefuseEmpty { get; init; }

    internal override string JsonTypeName => "a string";

    internal override bool Accepts(JsonValueKind kind) => kind == JsonValueKind.String;

    internal override string? Show(string? value) => value;

    internal override bool TryParse(string text, SettingCommands command, string source, out string? value, out string? problem)
    {
        value = text.Length == 0 ? null : text;
        problem = text.Length == 0 && RefuseEmpty
            ? $"{Key} is empty (from {source}): give a value, or leave it out for none"
            : null;
        return problem is null;
    }
}
