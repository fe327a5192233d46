using System.Buffers;

namespace Sockchat.Protocol;

/// <summary>What <see cref="LineFramer.TryReadLine"/> found in the buffer.</summary>
public enum FrameResult
{
    /// <summary>No complete line yet: read more bytes.</summary>
    NeedMore,
    /// <summary>A complete line (without its line ending) was returned.</summary>
    Line,
    /// <summary>A line went past the limit; it is being discarded up to its newline. Reported once per line.</summary>
    TooLong,
}

/// <summary>
/// Splits a byte stream into lines: <c>\n</c> ends a line, a <c>\r</c> before it is dropped,
/// empty lines are skipped. A line longer than the limit is reported once as
/// <see cref="FrameResult.TooLong"/> and discarded up to its newline without ever being buffered
/// whole, so a peer cannot make the server hold more than about one limit's worth of its bytes.
/// One instance per connection (it remembers whether it is in the middle of discarding).
/// </summary>
public sealed class LineFramer(int maxLineBytes)
{
    private bool _discarding;

    public int MaxLineBytes { get; } = maxLineBytes;

    /// <summary>Bytes dropped from the current over-long line so far (0 when not discarding).</summary>
    public long DiscardedBytes { get; private set; }

    /// <summary>
    /// Takes the next line off the front of <paramref name="buffer"/>, advancing it past what was consumed.
    /// On <see cref="FrameResult.NeedMore"/> the caller keeps the remaining buffer and reads more.
    /// </summary>
    public FrameResult TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        line = default;
        while (true)
        {
            var newline = buffer.PositionOf((byte)'\n');
            if (newline is null)
            {
                if (_discarding)
                {
                    DiscardedBytes += buffer.Length;
                    buffer = buffer.Slice(buffer.End);
                    return FrameResult.NeedMore;
                }
                // +1: a line of exactly MaxLineBytes may still be waiting for a trailing \r.
                if (buffer.Length > (long)MaxLineBytes + 1)
                {
                    _discarding = true;
                    DiscardedBytes = buffer.Length;
                    buffer = buffer.Slice(buffer.End);
                    return FrameResult.TooLong;
                }
                return FrameResult.NeedMore;
            }

            var candidate = buffer.Slice(0, newline.Value);
            buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
            if (_discarding)
            {
                _discarding = false;
                DiscardedBytes = 0;
                continue;
            }
            if (candidate.Length > 0 && EndsWithCarriageReturn(candidate))
            {
                candidate = candidate.Slice(0, candidate.Length - 1);
            }
            if (candidate.Length == 0)
            {
                continue;
            }
            if (candidate.Length > MaxLineBytes)
            {
                return FrameResult.TooLong;
            }
            line = candidate;
            return FrameResult.Line;
        }
    }

    private static bool EndsWithCarriageReturn(ReadOnlySequence<byte> candidate) =>
        candidate.Slice(candidate.Length - 1).FirstSpan[0] == (byte)'\r';
}
