using System.Text.Json;

namespace Sockchat.Configuration;

/// <summary>
/// A list of strings: in chat.json a JSON list of strings; from a variable one value with the
/// items separated by commas (or <c>__0</c>, <c>__1</c> … variables); the flag may be repeated.
/// The whole list comes from one layer: a variable replaces chat.json's list, it does not merge
/// with it item by item. Blank items are problems.
/// </summary>
public sealed class ListSetting : Setting<IReadOnlyList<string>>
{
    public ListSetting(string key, string? flag = null, params string[] aliases) : base(key, flag, aliases)
    {
        Default = [];
    }

    internal override string JsonTypeName => "a list of strings";

    internal override bool Accepts(JsonValueKind kind) => kind == JsonValueKind.Array;

    internal override string? Show(IReadOnlyList<string> value) => value.Count == 0 ? null : string.Join(", ", value);

    internal override bool TryParse(string text, SettingCommands command, string source, out IReadOnlyList<string> value, out string? problem)
    {
        if (text.Trim().Length == 0)
        {
            // An empty JSON list (which the JSON layer keeps as an empty value) or an empty variable: no items.
            value = [];
            problem = null;
            return true;
        }
        return TryParseItems(text.Split(','), source, out value, out problem);
    }

    internal bool TryParseItems(IEnumerable<string> items, string source, out IReadOnlyList<string> value, out string? problem)
    {
        var list = items.Select(item => item.Trim()).ToList();
        problem = list.Any(item => item.Length == 0) ? $"{Key} has an empty item (from {source})" : null;
        value = problem is null ? list : [];
        return problem is null;
    }
}
