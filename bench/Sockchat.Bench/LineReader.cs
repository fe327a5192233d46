namespace Sockchat.Bench;

/// <summary>Splits received bytes into lines: '\n' ends a line and a '\r' before it is dropped.</summary>
public static class LineReader
{
    /// <summary>
    /// Takes the first complete line off <paramref name="buffer"/> (without its ending) and
    /// advances the buffer past it. False when no complete line is left: the rest is a partial
    /// line to keep until more bytes arrive.
    /// </summary>
    public static bool TryReadLine(ref ReadOnlySpan<byte> buffer, out ReadOnlySpan<byte> line)
    {
        var newline = buffer.IndexOf((byte)'\n');
        if (newline < 0)
        {
            line = default;
            return false;
        }
        line = newline > 0 && buffer[newline - 1] == (byte)'\r' ? buffer[..(newline - 1)] : buffer[..newline];
        buffer = buffer[(newline + 1)..];
        return true;
    }
}
