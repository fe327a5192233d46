using Sockchat.Configuration;

namespace Sockchat.Tests.Configuration;

/// <summary>
/// The README's configuration table: its rows as they are (cells by column), and the row a
/// declaration calls for. Each row is one setting: key, flag (and aliases), variable, default,
/// what it accepts, and the commands that use it followed by free text.
/// </summary>
internal static class ReadmeSettingsTable
{
    public const string Header = "| key (chat.json) | flag | environment | default | accepts | used by |";

    /// <summary>The table's rows, each as its cells, keyed by the key cell.</summary>
    public static List<string[]> Rows(string readme)
    {
        var lines = readme.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        var start = lines.IndexOf(Header);
        Assert.True(start >= 0, $"README.md has no line \"{Header}\"");
        return lines.Skip(start + 2)
            .TakeWhile(line => line.StartsWith('|'))
            .Select(line => line.Trim().Trim('|').Split('|').Select(cell => cell.Trim()).ToArray())
            .ToList();
    }

    /// <summary>The cells a declaration calls for; the default's and the used-by cell may go on with free text.</summary>
    public static string[] Expected(Setting setting) =>
    [
        Code(setting.Key),
        setting.Flag is null ? "" : string.Join(", ", new[] { setting.Flag }.Concat(setting.Aliases).Select(Code)),
        Code(setting.EnvironmentName),
        setting.DefaultText is null ? "none" : Code(setting.DefaultText),
        Accepts(setting),
        UsedBy(setting.UsedBy),
    ];

    /// <summary>A row as it would be written, for failure messages (the free text left to the writer).</summary>
    public static string Line(Setting setting) => $"| {string.Join(" | ", Expected(setting))} |";

    private static string Accepts(Setting setting) => setting switch
    {
        IntegerSetting<int> s => Range(s.Min, s.Max, s.ServeMin),
        IntegerSetting<long> s => Range(s.Min, s.Max, s.ServeMin),
        SwitchSetting => "`true`, `false`",
        TextSetting { AllowedValues: { } allowed } => string.Join(", ", allowed.Select(Code)),
        TextSetting => "text",
        OptionalTextSetting { RefuseEmpty: true } => "text, not empty",
        OptionalTextSetting => "text",
        ListSetting => "list of text",
        _ => throw new NotSupportedException($"the README test does not know how {setting.GetType().Name} reads; teach it"),
    };

    private static string Range<T>(T min, T max, T? serveMin) where T : struct =>
        serveMin is { } s ? $"{Code($"{min}-{max}")} (serve: {Code($"{s}-{max}")})" : Code($"{min}-{max}");

    private static string UsedBy(SettingCommands commands) => commands == SettingCommands.All
        ? "all"
        : string.Join(", ", new[] { SettingCommands.Serve, SettingCommands.Join, SettingCommands.Say }
            .Where(c => commands.HasFlag(c))
            .Select(c => c.ToString().ToLowerInvariant()));

    private static string Code(string text) => $"`{text}`";
}
