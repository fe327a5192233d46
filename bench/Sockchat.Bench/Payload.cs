using System.Buffers.Text;

namespace Sockchat.Bench;

/// <summary>
/// The text of one benchmark message, made so that a receiver can tell a whole, correct message
/// from a damaged or spliced one:
/// <code>#SENDER.SEQ.TICKS.PAD$</code>
/// SENDER, SEQ and TICKS are decimal; TICKS is the sender's Stopwatch timestamp at send time.
/// PAD is lower-case letters whose sequence depends on sender, seq and position, filling the
/// payload to the requested size (a payload is never shorter than its header plus '$').
/// A relay that interleaves chunks of two messages produces a line that fails the length, the
/// header or the padding check, so it is counted as spliced instead of delivered. (Only a splice
/// that keeps the exact length, cutting two payloads of equal length at the same offset, can pass,
/// about once in a hundred such cuts; interleaving chunks changes the length.)
/// Only ASCII letters, digits and <c>#.$</c>: nothing any dialect escapes.
/// </summary>
public static class Payload
{
    public const int MaxHeaderLength = 1 + 10 + 1 + 18 + 1 + 18 + 1;

    /// <summary>The length of an encoded payload: <paramref name="size"/>, or the header and '$' if that is longer.</summary>
    public static int LengthFor(PayloadInfo info, int size) => Math.Max(size, HeaderLength(info) + 1);

    public static int HeaderLength(PayloadInfo info) =>
        1 + Digits(info.Sender) + 1 + Digits(info.Sequence) + 1 + Digits(info.SentTicks) + 1;

    /// <summary>Writes the payload into <paramref name="destination"/> and returns its length.</summary>
    public static int Encode(PayloadInfo info, int size, Span<byte> destination)
    {
        var length = LengthFor(info, size);
        if (destination.Length < length)
        {
            throw new ArgumentException($"payload needs {length} bytes, the buffer has {destination.Length}", nameof(destination));
        }
        var at = 0;
        destination[at++] = (byte)'#';
        at += WriteNumber(info.Sender, destination[at..]);
        destination[at++] = (byte)'.';
        at += WriteNumber(info.Sequence, destination[at..]);
        destination[at++] = (byte)'.';
        at += WriteNumber(info.SentTicks, destination[at..]);
        destination[at++] = (byte)'.';
        var padLength = length - 1 - at;
        Padding(PadSeed(info.Sender, info.Sequence), padLength).CopyTo(destination[at..]);
        at += padLength;
        destination[at++] = (byte)'$';
        return at;
    }

    /// <summary>
    /// Reads a payload back. True only when <paramref name="text"/> is exactly one well-formed
    /// payload of the expected size: header, padding and terminator all intact.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, int size, out PayloadInfo info)
    {
        info = default;
        if (text.Length < 8 || text[0] != (byte)'#' || text[^1] != (byte)'$')
        {
            return false;
        }
        var at = 1;
        if (!TryReadNumber(text, ref at, out var sender) || sender > int.MaxValue
            || !TryReadNumber(text, ref at, out var sequence)
            || !TryReadNumber(text, ref at, out var ticks))
        {
            return false;
        }
        var candidate = new PayloadInfo((int)sender, sequence, ticks);
        // 'at' is now just past the header, so this is LengthFor(candidate, size) without counting digits again.
        if (text.Length != Math.Max(size, at + 1))
        {
            return false;
        }
        if (!text[at..^1].SequenceEqual(Padding(PadSeed(candidate.Sender, sequence), text.Length - 1 - at)))
        {
            return false;
        }
        info = candidate;
        return true;
    }

    private static int PadSeed(int sender, long sequence) => (int)((sender % 26 * 7L + sequence % 26 * 13L) % 26);

    /// <summary>The padding for a seed: the alphabet from letter <paramref name="seed"/> on, cycling.</summary>
    private static ReadOnlySpan<byte> Padding(int seed, int length)
    {
        var cycle = _alphabetCycle;
        if (cycle.Length < seed + length)
        {
            // Grown once per larger size; a racing thread builds an equal array, so either wins.
            cycle = new byte[26 + Math.Max(length, 2 * cycle.Length)];
            for (var i = 0; i < cycle.Length; i++)
            {
                cycle[i] = (byte)('a' + i % 26);
            }
            _alphabetCycle = cycle;
        }
        return cycle.AsSpan(seed, length);
    }

    private static byte[] _alphabetCycle = [];

    /// <summary>Reads 1 to 19 digits without a leading zero, then a '.', from <paramref name="at"/>, advancing past the '.'.</summary>
    private static bool TryReadNumber(ReadOnlySpan<byte> text, ref int at, out long value)
    {
        value = 0;
        var start = at;
        while (at < text.Length && (uint)(text[at] - '0') <= 9)
        {
            value = value * 10 + (text[at] - '0');
            at++;
        }
        var digits = at - start;
        if (digits == 0 || digits > 18 || at >= text.Length || text[at] != (byte)'.' || (digits > 1 && text[start] == (byte)'0'))
        {
            return false;
        }
        at++;
        return true;
    }

    private static int WriteNumber(long value, Span<byte> destination)
    {
        Utf8Formatter.TryFormat(value, destination, out var written);
        return written;
    }

    private static int Digits(long value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }
        return digits;
    }
}
