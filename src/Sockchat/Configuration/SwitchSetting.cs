using System.Text.Json;

namespace Sockchat.Configuration;

/// <summary>
/// On or off: the flag is a switch (<c>--tls</c>; <c>--tls false</c> also parses), a variable
/// says true or false, chat.json gives a JSON true or false.
/// </summary>
public sealed class SwitchSetting(string key, string? flag = null, params string[] aliases) : Setting<bool>(key, flag, aliases)
{
    internal override string JsonTypeName => "true or false";

    internal override bool Accepts(JsonValueKind kind) => kind is JsonValueKind.True or JsonValueKind.False;

    internal override string Show(bool value) => value ? "true" : "false";

    internal override bool TryParse(string text, SettingCommands command, string source, out bool value, out string? problem)
    {
        problem = bool.TryParse(text.Trim(), out value) ? null : $"{Key} '{text}' is not true or false (from {source})";
        return problem is null;
    }
}
