using System.Buffers;
using System.Text;
using Sockchat.Protocol;

namespace Sockchat.Tests.Protocol;

public sealed class LineFramerTests
{
    private const string Frame = "{\"type\":\"say\",\"text\":\"hi\"}";

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] Repeat(char c, int count) => Utf8(new string(c, count));

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void A_line_split_across_reads_at_every_byte_is_framed_once(string ending)
    {
        var bytes = Utf8(Frame + ending);
        for (var at = 0; at <= bytes.Length; at++)
        {
            // Arrange
            var harness = new FramerHarness(new LineFramer(1024));

            // Act
            harness.Read(bytes[..at]).Read(bytes[at..]);

            // Assert
            Assert.True(harness.Reported.SequenceEqual([Framed.Line(Frame)]),
                $"split at byte {at}: got [{string.Join(", ", harness.Reported)}]");
            Assert.Equal(0, harness.RetainedBytes);
        }
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void A_line_split_into_three_reads_at_every_pair_of_positions_is_framed_once(string ending)
    {
        var bytes = Utf8(Frame + ending);
        for (var first = 0; first <= bytes.Length; first++)
        {
            for (var second = first; second <= bytes.Length; second++)
            {
                var harness = new FramerHarness(new LineFramer(1024));

                harness.Read(bytes[..first]).Read(bytes[first..second]).Read(bytes[second..]);

                Assert.True(harness.Reported.SequenceEqual([Framed.Line(Frame)]),
                    $"split at {first} and {second}: got [{string.Join(", ", harness.Reported)}]");
            }
        }
    }

    [Fact]
    public void A_line_delivered_one_byte_per_read_is_framed_once_and_only_after_its_newline()
    {
        // Arrange
        var bytes = Utf8(Frame + "\r\n");
        var harness = new FramerHarness(new LineFramer(1024));

        // Act / Assert
        foreach (var b in bytes[..^1])
        {
            harness.Read([b]);
            Assert.Empty(harness.Reported);
        }
        harness.Read([bytes[^1]]);
        Assert.Equal([Framed.Line(Frame)], harness.Reported);
    }

    [Fact]
    public async Task A_line_written_to_a_pipe_one_byte_at_a_time_is_framed_once()
    {
        // Arrange
        var bytes = Utf8("first\r\n" + Frame + "\n");

        // Act
        var reported = await FramerHarness.ThroughPipeAsync(new LineFramer(1024), bytes.Select(b => new[] { b }));

        // Assert
        Assert.Equal([Framed.Line("first"), Framed.Line(Frame)], reported);
    }

    [Fact]
    public void A_line_spread_over_many_segments_in_one_buffer_is_framed()
    {
        // Arrange
        var framer = new LineFramer(1024);
        var buffer = Segments.OneBytePerSegment(Utf8("hello\r\nworld\n"));
        var reported = new List<Framed>();

        // Act
        FramerHarness.Drain(framer, ref buffer, reported);

        // Assert
        Assert.Equal([Framed.Line("hello"), Framed.Line("world")], reported);
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void Several_frames_in_one_read_are_all_framed_in_order()
    {
        var harness = new FramerHarness(new LineFramer(1024));

        harness.Read(Utf8("one\ntwo\r\nthree\nfour"));

        Assert.Equal([Framed.Line("one"), Framed.Line("two"), Framed.Line("three")], harness.Reported);
        Assert.Equal(4, harness.RetainedBytes);
    }

    [Fact]
    public void The_rest_of_a_read_waits_for_its_newline_in_the_next_read()
    {
        var harness = new FramerHarness(new LineFramer(1024));

        harness.Read(Utf8("one\ntw")).Read(Utf8("o\nthr")).Read(Utf8("ee\n"));

        Assert.Equal([Framed.Line("one"), Framed.Line("two"), Framed.Line("three")], harness.Reported);
    }

    [Theory]
    [InlineData("hello\n")]
    [InlineData("hello\r\n")]
    public void LF_and_CRLF_both_end_a_line_without_leaving_a_carriage_return(string input)
    {
        var harness = new FramerHarness(new LineFramer(1024));

        harness.Read(Utf8(input));

        Assert.Equal([Framed.Line("hello")], harness.Reported);
    }

    [Fact]
    public void A_carriage_return_that_is_not_before_the_newline_stays_in_the_line()
    {
        var harness = new FramerHarness(new LineFramer(1024));

        harness.Read(Utf8("a\rb\n"));

        Assert.Equal([Framed.Line("a\rb")], harness.Reported);
    }

    [Fact]
    public void Empty_lines_are_skipped_whether_LF_or_CRLF()
    {
        var harness = new FramerHarness(new LineFramer(1024));

        harness.Read(Utf8("\n\r\n\n")).Read(Utf8("hello\n\n\r\n")).Read(Utf8("\nworld\n"));

        Assert.Equal([Framed.Line("hello"), Framed.Line("world")], harness.Reported);
    }

    [Fact]
    public void A_multi_byte_character_split_across_reads_at_every_byte_decodes_intact()
    {
        const string text = "héllo 🎉";
        var bytes = Utf8(text + "\n");
        for (var at = 0; at <= bytes.Length; at++)
        {
            var harness = new FramerHarness(new LineFramer(1024));

            harness.Read(bytes[..at]).Read(bytes[at..]);

            Assert.True(harness.Reported.SequenceEqual([Framed.Line(text)]),
                $"split at byte {at}: got [{string.Join(", ", harness.Reported)}]");
        }
    }

    [Fact]
    public void A_multi_byte_character_with_each_byte_in_its_own_segment_decodes_intact()
    {
        const string text = "héllo 🎉 日本";
        var framer = new LineFramer(1024);
        var buffer = Segments.OneBytePerSegment(Utf8(text + "\n"));

        var result = framer.TryReadLine(ref buffer, out var line);

        Assert.Equal(FrameResult.Line, result);
        Assert.False(line.IsSingleSegment);
        Assert.Equal(text, TextSanitizer.Decode(line));
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void A_line_exactly_at_the_limit_is_accepted(string ending)
    {
        // Arrange
        const int limit = 32;
        var line = new string('x', limit);
        var whole = new FramerHarness(new LineFramer(limit));
        var byteByByte = new FramerHarness(new LineFramer(limit));
        var bytes = Utf8(line + ending);

        // Act
        whole.Read(bytes);
        byteByByte.ReadAll(bytes.Select(b => new[] { b }));

        // Assert
        Assert.Equal([Framed.Line(line)], whole.Reported);
        Assert.Equal([Framed.Line(line)], byteByByte.Reported);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void A_line_one_byte_over_the_limit_is_reported_too_long_once_and_the_next_line_is_framed(string ending)
    {
        // Arrange
        const int limit = 32;
        var bytes = Utf8(new string('x', limit + 1) + ending + "next" + ending);
        var whole = new FramerHarness(new LineFramer(limit));
        var byteByByte = new FramerHarness(new LineFramer(limit));

        // Act
        whole.Read(bytes);
        byteByByte.ReadAll(bytes.Select(b => new[] { b }));

        // Assert
        Assert.Equal([Framed.TooLong, Framed.Line("next")], whole.Reported);
        Assert.Equal([Framed.TooLong, Framed.Line("next")], byteByByte.Reported);
    }

    [Fact]
    public void The_limit_counts_bytes_not_characters()
    {
        // Arrange: 16 two-byte characters are 32 bytes; one more is over a 32-byte limit.
        var atLimit = new string('é', 16);
        var overLimit = new string('é', 17);
        var harness = new FramerHarness(new LineFramer(32));

        // Act
        harness.Read(Utf8(atLimit + "\n" + overLimit + "\n"));

        // Assert
        Assert.Equal([Framed.Line(atLimit), Framed.TooLong], harness.Reported);
    }

    [Fact]
    public void Two_over_long_lines_in_a_row_are_each_reported_once()
    {
        var harness = new FramerHarness(new LineFramer(8));

        harness.Read(Utf8(new string('a', 20) + "\n")).Read(Utf8(new string('b', 20))).Read(Utf8("\nok\n"));

        Assert.Equal([Framed.TooLong, Framed.TooLong, Framed.Line("ok")], harness.Reported);
    }

    [Fact]
    public void A_long_stream_without_a_newline_is_reported_once_and_not_buffered()
    {
        // Arrange
        const int limit = 64;
        const int reads = 1000;
        var framer = new LineFramer(limit);
        var harness = new FramerHarness(framer);
        var chunk = Repeat('x', 1000);

        // Act
        for (var i = 0; i < reads; i++)
        {
            harness.Read(chunk);
        }

        // Assert: reported once, and the read loop never had to hold more than a limit's worth.
        Assert.Equal([Framed.TooLong], harness.Reported);
        Assert.True(harness.PeakRetainedBytes <= limit + 1, $"kept {harness.PeakRetainedBytes} bytes");
        Assert.Equal(0, harness.RetainedBytes);
        Assert.Equal((long)reads * chunk.Length, framer.DiscardedBytes);
    }

    [Fact]
    public void After_a_long_stream_the_line_following_its_eventual_newline_is_framed()
    {
        // Arrange
        var framer = new LineFramer(64);
        var harness = new FramerHarness(framer);
        harness.ReadAll(Enumerable.Repeat(Repeat('x', 500), 100));

        // Act: the tail of the over-long line, its newline, then a normal line split over reads.
        harness.Read(Utf8("still the long line\r\nhel")).Read(Utf8("lo\n"));

        // Assert
        Assert.Equal([Framed.TooLong, Framed.Line("hello")], harness.Reported);
        Assert.Equal(0, framer.DiscardedBytes);
    }

    [Fact]
    public async Task A_long_stream_through_a_pipe_is_reported_once_and_the_next_line_is_framed()
    {
        // Arrange
        var chunks = Enumerable.Repeat(Repeat('y', 4096), 256).Append(Utf8("\nafter\n"));

        // Act
        var reported = await FramerHarness.ThroughPipeAsync(new LineFramer(1024), chunks);

        // Assert
        Assert.Equal([Framed.TooLong, Framed.Line("after")], reported);
    }

    [Fact]
    public void A_partial_line_shorter_than_the_limit_waits_and_is_kept()
    {
        var framer = new LineFramer(16);
        var buffer = Segments.Of("abc", "def");

        var result = framer.TryReadLine(ref buffer, out _);

        Assert.Equal(FrameResult.NeedMore, result);
        Assert.Equal(6, buffer.Length);
    }

    [Fact]
    public void A_framer_with_the_largest_possible_limit_waits_for_the_rest_of_a_short_line()
    {
        // int.MaxValue is what someone would configure to mean "no practical limit".
        var framer = new LineFramer(int.MaxValue);
        var buffer = new ReadOnlySequence<byte>(Utf8("abc"));

        var result = framer.TryReadLine(ref buffer, out _);

        Assert.Equal(FrameResult.NeedMore, result);
        Assert.Equal(3, buffer.Length);
    }
}
