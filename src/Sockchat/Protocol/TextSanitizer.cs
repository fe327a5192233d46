using System.Buffers;
using System.Text;

namespace Sockchat.Protocol;

/// <summary>
/// Turns untrusted bytes and strings into text that is safe to show on anyone's terminal.
/// Invalid UTF-8 is replaced by U+FFFD (never rejected); ANSI/VT escape sequences are removed
/// whole; every other control character except tab is removed (C0, DEL, C1, and the Unicode
/// bidirectional overrides that can make text read backwards).
/// </summary>
public static class TextSanitizer
{
    private static readonly UTF8Encoding Utf8Replacing = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>Decodes bytes as UTF-8, replacing invalid sequences with U+FFFD.</summary>
    public static string Decode(in ReadOnlySequence<byte> bytes) =>
        bytes.IsSingleSegment ? Utf8Replacing.GetString(bytes.FirstSpan) : Utf8Replacing.GetString(bytes.ToArray());

    /// <summary>Removes escape sequences and control characters (tab is kept).</summary>
    public static string Clean(string text)
    {
        if (!NeedsCleaning(text))
        {
            return text;
        }
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\u001b')
            {
                i = SkipEscapeSequence(text, i);
                continue;
            }
            if (c == '\u009b')
            {
                i = SkipControlSequenceBody(text, i + 1);
                continue;
            }
            if (!IsUnsafe(c))
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    private static bool NeedsCleaning(string text)
    {
        foreach (var c in text)
        {
            if (IsUnsafe(c))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsUnsafe(char c) =>
        (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f) || IsBidiControl(c);

    // LRE, RLE, PDF, LRO, RLO and the isolates: they reorder what follows on the reader's screen.
    private static bool IsBidiControl(char c) => c is >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069';

    /// <summary>Returns the index of the last character of the escape sequence starting at <paramref name="start"/>.</summary>
    private static int SkipEscapeSequence(string text, int start)
    {
        var next = start + 1;
        if (next >= text.Length)
        {
            return start;
        }
        return text[next] switch
        {
            '[' => SkipControlSequenceBody(text, next + 1),
            // OSC, DCS, SOS, PM, APC: run until BEL or ST (ESC \).
            ']' or 'P' or 'X' or '^' or '_' => SkipStringSequence(text, next + 1),
            // Two-character sequences such as ESC c (reset) or ESC 7; anything else after ESC is text and stays.
            >= ' ' and <= '~' => next,
            _ => start,
        };
    }

    private static int SkipControlSequenceBody(string text, int i)
    {
        // Parameter and intermediate bytes (0x20-0x3f), then one final byte (0x40-0x7e).
        while (i < text.Length && text[i] >= 0x20 && text[i] <= 0x3f)
        {
            i++;
        }
        return i < text.Length && text[i] >= 0x40 && text[i] <= 0x7e ? i : i - 1;
    }

    private static int SkipStringSequence(string text, int i)
    {
        for (; i < text.Length; i++)
        {
            if (text[i] == '\u0007')
            {
                return i;
            }
            if (text[i] == '\u001b' && i + 1 < text.Length && text[i + 1] == '\\')
            {
                return i + 1;
            }
        }
        return text.Length - 1;
    }
}
