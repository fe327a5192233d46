using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Sockchat.Protocol;

/// <summary>
/// Nickname and room rules. A nickname is 1-32 letters, digits or <c>-_.</c> after Unicode NFC
/// normalization, every one of them visible, all of one script (UTS #39 mixed-script rule; digits
/// and <c>-_.</c> go with any). Two nicknames are the same user when their <see cref="NickKey"/>s
/// are equal: the case-folded UTS #39 confusable skeleton (see <see cref="NameData.Key"/>), so
/// "Alice", "ALICE", "AIice" (capital I) and an all-Cyrillic look-alike collide, and so do ß and ss.
/// Reserved names are compared by the same key.
/// A room is 1-32 characters of <c>a-z 0-9 - _</c>, given with or without a leading <c>#</c>;
/// upper-case ASCII is folded to lower case.
/// </summary>
public static class Names
{
    private static readonly Dictionary<string, string> Reserved =
        new[] { "server", "sockchat", "system", "admin", "everyone", "nickserv", "chanserv" }
            .ToDictionary(NameData.Key, StringComparer.Ordinal);

    /// <summary>Validates a wanted nickname and returns its display form (NFC), or the reason it is refused.</summary>
    public static bool TryNormalizeNick(string? wanted, [NotNullWhen(true)] out string? nick, [NotNullWhen(false)] out string? problem)
    {
        nick = null;
        if (string.IsNullOrWhiteSpace(wanted))
        {
            problem = "a name is required";
            return false;
        }
        string candidate;
        try
        {
            candidate = wanted.Trim().Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            // Noncharacters such as U+FFFE and lone surrogates cannot be normalized: not a name.
            problem = "a name cannot hold that character";
            return false;
        }
        var length = 0;
        foreach (var rune in candidate.EnumerateRunes())
        {
            length++;
            if (!(Rune.IsLetterOrDigit(rune) || rune.Value is '-' or '_' or '.'))
            {
                problem = $"'{TextSanitizer.Clean(candidate)}' is not a valid name: use letters, digits and - _ . only";
                return false;
            }
        }
        if (length > ProtocolLimits.MaxNameLength)
        {
            problem = $"a name is at most {ProtocolLimits.MaxNameLength} characters";
            return false;
        }
        foreach (var rune in candidate.EnumerateRunes())
        {
            if (NameData.IsInvisible(rune))
            {
                problem = $"a name cannot hold an invisible character (U+{rune.Value:X4}): every character must be visible";
                return false;
            }
        }
        if (NameData.TryFindMixedScripts(candidate, out var firstScript, out var secondScript))
        {
            problem = $"'{candidate}' mixes {firstScript} and {secondScript} letters: use letters of one script (digits and - _ . go with any)";
            return false;
        }
        if (Reserved.TryGetValue(NickKey(candidate), out var reserved))
        {
            problem = string.Equals(candidate, reserved, StringComparison.OrdinalIgnoreCase)
                ? $"'{candidate}' is reserved"
                : $"'{candidate}' is reserved: it looks like '{reserved}'";
            return false;
        }
        nick = candidate;
        problem = null;
        return true;
    }

    /// <summary>The identity of a nickname for uniqueness: its case-folded confusable skeleton (see <see cref="NameData.Key"/>).</summary>
    public static string NickKey(string nick)
    {
        try
        {
            return NameData.Key(nick);
        }
        catch (ArgumentException)
        {
            // Only names that failed validation get here (looking up a user by an invalid name): they match nobody.
            return "\0" + nick;
        }
    }

    /// <summary>Validates a room name and returns it without <c>#</c>, in lower case.</summary>
    public static bool TryNormalizeRoom(string? wanted, [NotNullWhen(true)] out string? room, [NotNullWhen(false)] out string? problem)
    {
        room = null;
        var candidate = (wanted ?? "").Trim();
        if (candidate.StartsWith('#'))
        {
            candidate = candidate[1..];
        }
        candidate = candidate.ToLowerInvariant();
        if (candidate.Length is 0 or > ProtocolLimits.MaxRoomLength)
        {
            problem = $"a room name is 1 to {ProtocolLimits.MaxRoomLength} characters";
            return false;
        }
        foreach (var c in candidate)
        {
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_'))
            {
                problem = $"'{TextSanitizer.Clean(wanted ?? "")}' is not a valid room: use a-z, 0-9, - and _ only";
                return false;
            }
        }
        room = candidate;
        problem = null;
        return true;
    }
}
