using System.Text;
using Sockchat.Bench;

namespace Sockchat.Tests.Bench;

/// <summary>
/// The benchmark message text <c>#SENDER.SEQ.TICKS.PAD$</c>: what is encoded parses back to the
/// same sender, sequence and timestamp, and what a splicing relay makes of two payloads does not.
/// </summary>
public sealed class PayloadTests
{
    private static byte[] Encode(PayloadInfo info, int size)
    {
        var buffer = new byte[Payload.LengthFor(info, size)];
        var written = Payload.Encode(info, size, buffer);
        Assert.Equal(buffer.Length, written);
        return buffer;
    }

    private static bool Parses(byte[] text, int size) => Payload.TryParse(text, size, out _);

    private static string Show(byte[] text) => Encoding.ASCII.GetString(text);

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(200)]
    [InlineData(1024)]
    [InlineData(70_000)]
    public void An_encoded_payload_of_any_size_parses_back_to_the_same_sender_sequence_and_ticks(int size)
    {
        // Arrange
        var info = new PayloadInfo(3, 41, 123_456_789);

        // Act
        var text = Encode(info, size);
        var parsed = Payload.TryParse(text, size, out var back);

        // Assert
        Assert.True(parsed, $"size {size}: {Show(text)[..Math.Min(text.Length, 120)]}");
        Assert.Equal(info, back);
        Assert.Equal(Math.Max(size, Payload.HeaderLength(info) + 1), text.Length);
        Assert.StartsWith("#3.41.123456789.", Show(text), StringComparison.Ordinal);
        Assert.EndsWith("$", Show(text), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0L, 0L)]
    [InlineData(9, 10L, 99L)]
    [InlineData(1_000_000, 2_147_483_647L, 86_400_000_000_000L)]
    [InlineData(int.MaxValue, (long)int.MaxValue, 999_999_999_999_999_999L)]
    public void Extreme_numbers_round_trip_and_fit_the_largest_header(int sender, long sequence, long ticks)
    {
        // Arrange
        var info = new PayloadInfo(sender, sequence, ticks);

        // Act
        var text = Encode(info, size: 64);

        // Assert
        Assert.True(Payload.TryParse(text, 64, out var back), Show(text));
        Assert.Equal(info, back);
        Assert.True(Payload.HeaderLength(info) <= Payload.MaxHeaderLength);
    }

    [Fact]
    public void A_payload_uses_only_letters_digits_and_hash_dot_dollar_so_no_dialect_escapes_it()
    {
        for (var sender = 0; sender < 30; sender++)
        {
            for (var sequence = 0L; sequence < 30; sequence++)
            {
                var text = Encode(new PayloadInfo(sender, sequence, 1_000 + sender * sequence), 100);

                Assert.All(text, b => Assert.True(b is >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'#' or (byte)'.' or (byte)'$',
                    $"byte {b} in {Show(text)}"));
            }
        }
    }

    [Fact]
    public void Encoding_into_a_buffer_too_small_throws_instead_of_writing_a_short_payload()
    {
        // Arrange
        var info = new PayloadInfo(1, 2, 3);
        var buffer = new byte[63];

        // Act and assert
        Assert.Throws<ArgumentException>(() => Payload.Encode(info, 64, buffer));
    }

    [Fact]
    public void A_payload_read_with_a_different_expected_size_is_rejected()
    {
        // Arrange
        var text = Encode(new PayloadInfo(1, 2, 3), 64);

        // Act and assert
        Assert.True(Parses(text, 64));
        Assert.False(Parses(text, 63));
        Assert.False(Parses(text, 65));
    }

    [Theory]
    [InlineData(32)]
    [InlineData(12)]
    [InlineData(5)]
    [InlineData(60)]
    public void The_first_half_of_one_payload_glued_to_the_second_half_of_another_of_equal_length_does_not_parse(int cut)
    {
        // Arrange: two senders' payloads, the same length and timestamp width (the worst case for a splice).
        var a = Encode(new PayloadInfo(1, 5, 1_000_000), 64);
        var b = Encode(new PayloadInfo(2, 7, 2_000_000), 64);
        byte[] spliced = [.. a[..cut], .. b[cut..]];

        // Act and assert
        Assert.Equal(64, spliced.Length);
        Assert.False(Parses(spliced, 64), $"cut at {cut}: {Show(spliced)}");
    }

    [Fact]
    public void Halves_of_two_payloads_glued_at_different_offsets_do_not_parse()
    {
        // Arrange
        var a = Encode(new PayloadInfo(0, 10, 5_000), 64);
        var b = Encode(new PayloadInfo(1, 11, 5_001), 64);

        // Act and assert: shorter, longer, and both whole on one line.
        Assert.False(Parses([.. a[..30], .. b[40..]], 64));
        Assert.False(Parses([.. a[..40], .. b[30..]], 64));
        Assert.False(Parses([.. a, .. b], 64));
        Assert.False(Parses([.. a[..^1], .. b], 64));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(25)]
    [InlineData(50)]
    [InlineData(55)]
    public void A_payload_with_a_fragment_of_another_inside_does_not_parse(int at)
    {
        // Arrange: what a relay forwarding raw chunks makes when a chunk of b lands inside a.
        var a = Encode(new PayloadInfo(4, 100, 77_777), 64);
        var b = Encode(new PayloadInfo(6, 200, 88_888), 64);
        byte[] inserted = [.. a[..at], .. b[10..30], .. a[at..]];
        byte[] overwritten = [.. a[..at], .. b[at..Math.Min(at + 8, 63)], .. a[Math.Min(at + 8, 63)..]];

        // Act and assert
        Assert.False(Parses(inserted, 64), Show(inserted));
        Assert.Equal(64, overwritten.Length);
        Assert.False(Parses(overwritten, 64), Show(overwritten));
    }

    [Fact]
    public void A_line_holding_a_foreign_payload_fragment_between_two_whole_ones_parses_as_neither()
    {
        // Arrange: two chunks of one sender's payload with the start of another's between them.
        var a = Encode(new PayloadInfo(2, 3, 4), 64);
        var b = Encode(new PayloadInfo(3, 4, 5), 64);
        byte[] line = [.. a[..20], .. b[..20], .. a[20..]];

        // Act and assert
        Assert.False(Parses(line, 64));
        Assert.False(Parses(line, line.Length));
    }

    [Fact]
    public void Removing_any_one_byte_or_adding_one_at_either_end_makes_a_payload_unreadable_at_its_expected_size()
    {
        // Arrange
        var text = Encode(new PayloadInfo(12, 345, 67_890), 64);

        // Act and assert
        for (var i = 0; i < text.Length; i++)
        {
            byte[] shorter = [.. text[..i], .. text[(i + 1)..]];
            Assert.False(Parses(shorter, 64), $"without byte {i}: {Show(shorter)}");
        }
        Assert.False(Parses([.. text, (byte)'\r'], 65));
        Assert.False(Parses([(byte)' ', .. text], 65));
    }

    [Fact]
    public void A_changed_padding_letter_makes_a_payload_unreadable()
    {
        // Arrange
        var text = Encode(new PayloadInfo(12, 345, 67_890), 64);
        var padStart = Payload.HeaderLength(new PayloadInfo(12, 345, 67_890));

        // Act and assert
        for (var i = padStart; i < text.Length - 1; i++)
        {
            var changed = text.ToArray();
            changed[i] = changed[i] == (byte)'z' ? (byte)'a' : (byte)(changed[i] + 1);
            Assert.False(Parses(changed, 64), $"letter {i} changed: {Show(changed)}");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("#")]
    [InlineData("$")]
    [InlineData("#1.2.3$")]
    [InlineData("1.2.3.abc$")]
    [InlineData("#1.2.3.abcdefgh")]
    [InlineData("#a.2.3.abcdefg$")]
    [InlineData("#-1.2.3.abcdef$")]
    [InlineData("#1..3.abcdefgh$")]
    [InlineData("#1.2.1234567890123456789.ab$")]
    public void Text_that_is_not_a_payload_is_rejected_without_throwing(string text)
    {
        Assert.False(Payload.TryParse(Encoding.ASCII.GetBytes(text), 8, out _));
    }

    [Fact]
    public void A_number_written_with_a_leading_zero_is_rejected_even_when_length_and_padding_fit()
    {
        // Arrange: "#1.05.9." plus the padding of (1, 5) one letter shorter: 40 bytes, as a 40-byte payload of (1, 5, 9) would be.
        var genuine = Encode(new PayloadInfo(1, 5, 9), 40);
        var header = "#1.5.9."u8.ToArray();
        byte[] padded = [.. "#1.05.9."u8, .. genuine[header.Length..^2], (byte)'$'];

        // Act and assert
        Assert.Equal(40, padded.Length);
        Assert.True(Parses(genuine, 40));
        Assert.False(Parses(padded, 40), Show(padded));
    }

    [Fact]
    public void An_18_digit_sequence_round_trips_and_reading_one_from_the_wire_never_throws()
    {
        // Arrange: the largest sequence the header allows; and a line a relay could deliver with one, 64 bytes long.
        var info = new PayloadInfo(0, 999_999_999_999_999_999L, 0);
        byte[] line = [.. "#0.999999999999999999.0."u8, .. Enumerable.Repeat((byte)'a', 39), (byte)'$'];

        // Act
        var encodeError = Record.Exception(() => Encode(info, 64));
        var parseError = Record.Exception(() => Payload.TryParse(line, 64, out _));

        // Assert
        Assert.Null(encodeError);
        Assert.Null(parseError);
    }
}
