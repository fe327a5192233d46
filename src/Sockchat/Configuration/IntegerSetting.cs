using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace Sockchat.Configuration;

/// <summary>A whole number within <see cref="Min"/>..<see cref="Max"/>; in chat.json a JSON number.</summary>
public sealed class IntegerSetting<T>(string key, string? flag = null, params string[] aliases) : Setting<T>(key, flag, aliases)
    where T : struct, IBinaryInteger<T>, IMinMaxValue<T>
{
    public T Min { get; init; } = T.MinValue;

    public T Max { get; init; } = T.MaxValue;

    /// <summary>The smallest value <c>serve</c> takes, when it differs (the port: 0 picks a free one).</summary>
    public T? ServeMin { get; init; }

    /// <summary>The smallest value for one command.</summary>
    public T MinFor(SettingCommands command) => command == SettingCommands.Serve && ServeMin is { } serveMin ? serveMin : Min;

    internal override string JsonTypeName => "a whole number";

    internal override bool Accepts(JsonValueKind kind) => kind == JsonValueKind.Number;

    internal override string Show(T value) => value.ToString(null, CultureInfo.InvariantCulture);

    internal override bool TryParse(string text, SettingCommands command, string source, out T value, out string? problem)
    {
        problem = null;
        if (!long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            // Also what a number past long's range gets: it is no setting's whole number.
            problem = $"{Key} '{text}' is not a whole number (from {source})";
        }
        else if (number < long.CreateSaturating(MinFor(command)) || number > long.CreateSaturating(Max))
        {
            problem = $"{Key} {Show(number)} is out of range ({Show(MinFor(command))}-{Show(Max)}) (from {source})";
        }
        value = problem is null ? T.CreateChecked(number) : default;
        return problem is null;
    }

    private static string Show(long number) => number.ToString(CultureInfo.InvariantCulture);
}
