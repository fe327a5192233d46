using System.Text;
using Sockchat.Bench;

namespace Sockchat.Tests.Bench;

/// <summary>
/// <see cref="LineReader"/> as the generator's receive loop uses it: bytes arrive in arbitrary
/// reads, complete lines are taken off the front, and a partial line waits for the rest.
/// </summary>
public sealed class LineReaderTests
{
    private const string Stream = "one\r\ntwo\nthree\r\n\r\n\nfour with a \r inside\n";

    private static readonly string[] StreamLines = ["one", "two", "three", "", "", "four with a \r inside"];

    /// <summary>
    /// Feeds reads into a buffer the way BenchClient does (kept bytes first, new bytes after),
    /// takes every complete line off it after each read, and returns the lines and what is left.
    /// </summary>
    private static (List<string> Lines, string Pending) Feed(params byte[][] reads)
    {
        var lines = new List<string>();
        var kept = Array.Empty<byte>();
        foreach (var read in reads)
        {
            var buffer = new byte[kept.Length + read.Length];
            kept.CopyTo(buffer, 0);
            read.CopyTo(buffer, kept.Length);
            ReadOnlySpan<byte> pending = buffer;
            while (LineReader.TryReadLine(ref pending, out var line))
            {
                lines.Add(Encoding.ASCII.GetString(line));
            }
            kept = pending.ToArray();
        }
        return (lines, Encoding.ASCII.GetString(kept));
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    [Fact]
    public void Lines_in_one_read_come_out_in_order_without_their_endings_and_the_tail_is_kept()
    {
        // Act
        var (lines, pending) = Feed(Ascii("alpha\nbeta\r\ngam"));

        // Assert
        Assert.Equal(["alpha", "beta"], lines);
        Assert.Equal("gam", pending);
    }

    [Fact]
    public void A_buffer_without_a_newline_yields_nothing_and_is_left_untouched()
    {
        // Arrange
        ReadOnlySpan<byte> buffer = "no newline yet\r"u8;

        // Act
        var found = LineReader.TryReadLine(ref buffer, out var line);

        // Assert
        Assert.False(found);
        Assert.True(line.IsEmpty);
        Assert.Equal("no newline yet\r", Encoding.ASCII.GetString(buffer));
    }

    [Fact]
    public void Empty_lines_with_and_without_carriage_return_are_returned_as_empty()
    {
        // Act
        var (lines, pending) = Feed(Ascii("\n\r\n\n"));

        // Assert
        Assert.Equal(["", "", ""], lines);
        Assert.Equal("", pending);
    }

    [Fact]
    public void Only_a_carriage_return_right_before_the_newline_is_dropped()
    {
        // Act
        var (lines, _) = Feed(Ascii("a\rb\n\r\r\nc\r \n"));

        // Assert
        Assert.Equal(["a\rb", "\r", "c\r "], lines);
    }

    [Fact]
    public void A_stream_split_into_two_reads_at_every_byte_gives_the_same_lines()
    {
        var bytes = Ascii(Stream);
        for (var at = 0; at <= bytes.Length; at++)
        {
            // Act
            var (lines, pending) = Feed(bytes[..at], bytes[at..]);

            // Assert
            Assert.True(lines.SequenceEqual(StreamLines), $"split at {at}: got [{string.Join("|", lines)}]");
            Assert.Equal("", pending);
        }
    }

    [Fact]
    public void A_stream_split_into_three_reads_at_every_pair_of_positions_gives_the_same_lines()
    {
        var bytes = Ascii(Stream);
        for (var first = 0; first <= bytes.Length; first++)
        {
            for (var second = first; second <= bytes.Length; second++)
            {
                var (lines, pending) = Feed(bytes[..first], bytes[first..second], bytes[second..]);

                Assert.True(lines.SequenceEqual(StreamLines), $"split at {first} and {second}: got [{string.Join("|", lines)}]");
                Assert.Equal("", pending);
            }
        }
    }

    [Fact]
    public void A_stream_arriving_one_byte_per_read_gives_the_same_lines()
    {
        // Act
        var (lines, pending) = Feed(Ascii(Stream).Select(b => new[] { b }).ToArray());

        // Assert
        Assert.Equal(StreamLines, lines);
        Assert.Equal("", pending);
    }

    [Fact]
    public void A_crlf_split_between_two_reads_ends_the_line_without_the_carriage_return()
    {
        // Act
        var (afterFirst, pendingAfterFirst) = Feed(Ascii("PRIVMSG #bench :x\r"));
        var (lines, pending) = Feed(Ascii("PRIVMSG #bench :x\r"), Ascii("\nPING :y\r"), Ascii("\n"));

        // Assert
        Assert.Empty(afterFirst);
        Assert.Equal("PRIVMSG #bench :x\r", pendingAfterFirst);
        Assert.Equal(["PRIVMSG #bench :x", "PING :y"], lines);
        Assert.Equal("", pending);
    }

    [Fact]
    public void Payload_lines_split_across_reads_each_parse_as_one_payload()
    {
        // Arrange: 50 payload lines, delivered in reads of 37 bytes that cut lines anywhere.
        var payloads = Enumerable.Range(0, 50).Select(i =>
        {
            var buffer = new byte[64];
            Payload.Encode(new PayloadInfo(i % 3, i, 1000 + i), 64, buffer);
            return buffer;
        }).ToArray();
        var stream = payloads.SelectMany(p => p.Append((byte)'\n')).ToArray();
        var reads = stream.Chunk(37).ToArray();

        // Act
        var (lines, pending) = Feed(reads);

        // Assert
        Assert.Equal(50, lines.Count);
        Assert.Equal("", pending);
        for (var i = 0; i < lines.Count; i++)
        {
            Assert.True(Payload.TryParse(Encoding.ASCII.GetBytes(lines[i]), 64, out var info), lines[i]);
            Assert.Equal(new PayloadInfo(i % 3, i, 1000 + i), info);
        }
    }
}
