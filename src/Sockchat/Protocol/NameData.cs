using System.Text;

namespace Sockchat.Protocol;

/// <summary>
/// The Unicode knowledge behind nickname rules, over the tables in NameData.Tables.g.cs
/// (generated from Unicode 15.0 data by tools/unicode/generate_name_tables.py): full case
/// folding, the UTS #39 confusable skeleton, scripts for the mixed-script rule, and which code
/// points are invisible (Default_Ignorable_Code_Point). Pure and allocation-light; names are
/// short and are only looked at on hello, nick and dm.
/// </summary>
internal static partial class NameData
{
    /// <summary>
    /// The identity of a name: two names are the same user exactly when their keys are equal.
    /// NFKC, full case folding, the UTS #39 skeleton (NFD, each code point to its confusable
    /// prototype, NFD), case folding again (a prototype may be upper case, as O for 0), and
    /// finally i and l made one letter: names ignore case, and a capital I looks like a small l.
    /// Throws <see cref="ArgumentException"/> for text that cannot be normalized.
    /// </summary>
    public static string Key(string name)
    {
        var folded = Fold(name.Normalize(NormalizationForm.FormKC));
        var skeleton = Map(folded.Normalize(NormalizationForm.FormD), ConfusableKeys, ConfusableOffsets, ConfusableValues)
            .Normalize(NormalizationForm.FormD);
        return Fold(skeleton).Replace('i', 'l').Normalize(NormalizationForm.FormKC);
    }

    /// <summary>Full case folding (so ß and ss, ﬁ and fi fold alike).</summary>
    public static string Fold(string text) => Map(text, FoldingKeys, FoldingOffsets, FoldingValues);

    /// <summary>True for a code point that renders as nothing (Default_Ignorable_Code_Point), such as U+3164.</summary>
    public static bool IsInvisible(Rune rune)
    {
        var ranges = IgnorableRanges;
        var value = rune.Value;
        for (var i = 0; i < ranges.Length; i += 2)
        {
            if (value < ranges[i])
            {
                return false;
            }
            if (value <= ranges[i + 1])
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Finds the first two characters of a name whose scripts cannot be one (UTS #39 section 5.1:
    /// the intersection of the augmented Script_Extensions of every character is empty). Common
    /// and Inherited characters (digits, - _ ., combining marks) go with any script; Han goes
    /// with Hiragana and Katakana (Japanese), with Hangul (Korean) and with Bopomofo.
    /// </summary>
    public static bool TryFindMixedScripts(string name, out string first, out string second)
    {
        var resolved = ScriptSet.Any;
        first = second = "";
        foreach (var rune in name.EnumerateRunes())
        {
            var scripts = ScriptsOf(rune.Value);
            if (scripts.IsAny)
            {
                continue;
            }
            if (first.Length == 0)
            {
                first = ScriptNames[scripts.Lowest];
            }
            resolved = resolved.Intersect(scripts.Augmented());
            if (resolved.IsEmpty)
            {
                second = ScriptNames[scripts.Lowest];
                return true;
            }
        }
        return false;
    }

    private static ScriptSet ScriptsOf(int codePoint)
    {
        var index = ScriptRangeStarts.BinarySearch(codePoint);
        if (index < 0)
        {
            index = ~index - 1;
        }
        var set = ScriptRangeSets[index] * 3;
        return new ScriptSet(ScriptSetBits[set], ScriptSetBits[set + 1], ScriptSetBits[set + 2]);
    }

    private static string Map(string text, ReadOnlySpan<int> keys, ReadOnlySpan<ushort> offsets, string values)
    {
        StringBuilder? mapped = null;
        var at = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var index = keys.BinarySearch(rune.Value);
            if (index >= 0)
            {
                mapped ??= new StringBuilder(text.Length + 8).Append(text, 0, at);
                mapped.Append(values, offsets[index], offsets[index + 1] - offsets[index]);
            }
            else
            {
                mapped?.Append(text, at, rune.Utf16SequenceLength);
            }
            at += rune.Utf16SequenceLength;
        }
        return mapped?.ToString() ?? text;
    }

    /// <summary>A set of script ids (see ScriptNames) as three 64-bit words.</summary>
    private readonly record struct ScriptSet(ulong A, ulong B, ulong C)
    {
        public static ScriptSet Any => new(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue);

        public bool IsAny => A == ulong.MaxValue && B == ulong.MaxValue && C == ulong.MaxValue;

        public bool IsEmpty => (A | B | C) == 0;

        public int Lowest => A != 0 ? System.Numerics.BitOperations.TrailingZeroCount(A)
            : B != 0 ? 64 + System.Numerics.BitOperations.TrailingZeroCount(B)
            : 128 + System.Numerics.BitOperations.TrailingZeroCount(C);

        public ScriptSet Intersect(ScriptSet other) => new(A & other.A, B & other.B, C & other.C);

        /// <summary>UTS #39's augmentation: the writing systems that mix scripts count as scripts of their own.</summary>
        public ScriptSet Augmented()
        {
            var set = this;
            if (Has(ScriptHani)) set = set.With(ScriptHanb).With(ScriptJpan).With(ScriptKore);
            if (Has(ScriptHira) || Has(ScriptKana)) set = set.With(ScriptJpan);
            if (Has(ScriptHang)) set = set.With(ScriptKore);
            if (Has(ScriptBopo)) set = set.With(ScriptHanb);
            return set;
        }

        private bool Has(int id) => ((id < 64 ? A : id < 128 ? B : C) >> (id % 64) & 1) != 0;

        private ScriptSet With(int id) => id < 64 ? this with { A = A | 1UL << id }
            : id < 128 ? this with { B = B | 1UL << (id - 64) }
            : this with { C = C | 1UL << (id - 128) };
    }
}
