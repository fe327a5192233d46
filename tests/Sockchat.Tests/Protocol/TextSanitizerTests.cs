using System.Buffers;
using System.Text;
using Sockchat.Protocol;

namespace Sockchat.Tests.Protocol;

public sealed class TextSanitizerTests
{
    private const char Replacement = '\uFFFD';

    public static TheoryData<byte[], string> InvalidUtf8 => new()
    {
        { [0x68, 0xFF, 0xFE, 0x69], "h\uFFFD\uFFFDi" },
        // The first two bytes of the 3-byte "€" (E2 82 AC), then an ASCII letter.
        { [0xE2, 0x82, 0x78], "\uFFFDx" },
        // The same truncated sequence at the very end of the input.
        { [0x61, 0xE2, 0x82], "a\uFFFD" },
        // A lone continuation byte.
        { [0x61, 0x80, 0x62], "a\uFFFDb" },
        // An overlong encoding of "/" (C0 AF) must not decode to "/".
        { [0xC0, 0xAF], "\uFFFD\uFFFD" },
        // An encoded UTF-16 surrogate (ED A0 80) is not valid UTF-8.
        { [0xED, 0xA0, 0x80], "\uFFFD\uFFFD\uFFFD" },
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8))]
    public void Invalid_UTF8_is_replaced_by_the_replacement_character(byte[] bytes, string expected)
    {
        var decoded = TextSanitizer.Decode(new ReadOnlySequence<byte>(bytes));

        Assert.Equal(expected, decoded);
    }

    [Theory]
    [MemberData(nameof(InvalidUtf8))]
    public void Invalid_UTF8_spread_over_segments_is_replaced_the_same_way(byte[] bytes, string expected)
    {
        var decoded = TextSanitizer.Decode(Segments.OneBytePerSegment(bytes));

        Assert.Equal(expected, decoded);
    }

    [Fact]
    public void Invalid_UTF8_in_a_framed_line_is_replaced_and_the_valid_text_kept()
    {
        // Arrange
        byte[] bytes = [.. "ok "u8, 0xFF, 0xFE, .. " ok\n"u8];
        var harness = new FramerHarness(new LineFramer(1024));

        // Act
        harness.Read(bytes);

        // Assert
        Assert.Equal([Framed.Line($"ok {Replacement}{Replacement} ok")], harness.Reported);
    }

    [Fact]
    public void Every_possible_byte_decodes_without_throwing()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

        var decoded = TextSanitizer.Decode(Segments.SplitAt(all, 129));

        Assert.Contains(Replacement, decoded);
        Assert.StartsWith("\0\u0001", decoded, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\u001b[31mred\u001b[0m", "red")]
    [InlineData("\u001b[1;38;5;196mbold\u001b[m text", "bold text")]
    [InlineData("\u001b[2J\u001b[Hcleared", "cleared")]
    [InlineData("\u001b[?25lhidden cursor", "hidden cursor")]
    [InlineData("cut off \u001b[31", "cut off ")]
    [InlineData("\u009b31mC1 CSI", "C1 CSI")]
    public void Colour_and_cursor_escape_sequences_are_removed_whole(string input, string expected)
    {
        Assert.Equal(expected, TextSanitizer.Clean(input));
    }

    [Theory]
    [InlineData("\u001b]0;pwned\u0007hello", "hello")]
    [InlineData("\u001b]2;window title\u001b\\hello", "hello")]
    [InlineData("a\u001b]8;;http://evil.example/\u0007link\u001b]8;;\u0007b", "alinkb")]
    [InlineData("\u001bPdevice control\u001b\\after", "after")]
    public void Operating_system_commands_such_as_title_changes_are_removed_whole(string input, string expected)
    {
        Assert.Equal(expected, TextSanitizer.Clean(input));
    }

    [Theory]
    [InlineData("\u001bcreset", "reset")]
    [InlineData("trailing escape \u001b", "trailing escape ")]
    public void A_two_character_or_dangling_escape_is_removed(string input, string expected)
    {
        Assert.Equal(expected, TextSanitizer.Clean(input));
    }

    [Theory]
    [InlineData("a\u0000b", "ab")]
    [InlineData("bell\u0007", "bell")]
    [InlineData("back\bspace", "backspace")]
    [InlineData("line\r\nbreak\n", "linebreak")]
    [InlineData("form\ffeed\vtab", "formfeedtab")]
    [InlineData("del\u007fete", "delete")]
    [InlineData("c1\u0085\u008d\u009f", "c1")]
    public void C0_and_C1_control_characters_and_DEL_are_removed(string input, string expected)
    {
        Assert.Equal(expected, TextSanitizer.Clean(input));
    }

    [Theory]
    [InlineData("\u202a", "LRE")]
    [InlineData("\u202b", "RLE")]
    [InlineData("\u202c", "PDF")]
    [InlineData("\u202d", "LRO")]
    [InlineData("\u202e", "RLO")]
    [InlineData("\u2066", "LRI")]
    [InlineData("\u2067", "RLI")]
    [InlineData("\u2068", "FSI")]
    [InlineData("\u2069", "PDI")]
    public void Bidirectional_overrides_and_isolates_are_removed(string control, string name)
    {
        var cleaned = TextSanitizer.Clean($"invoice{control}fdp.exe");

        Assert.True(cleaned == "invoicefdp.exe", $"{name} was not removed: {cleaned}");
    }

    [Theory]
    [InlineData("plain text")]
    [InlineData("tab\tseparated\tcolumns")]
    [InlineData("héllo 🎉 日本語 Ελληνικά עברית")]
    [InlineData("quotes \" ' and \\ backslash <b>&amp;</b>")]
    public void Tabs_and_ordinary_unicode_text_are_kept_unchanged(string text)
    {
        Assert.Equal(text, TextSanitizer.Clean(text));
    }

    [Fact]
    public void Cleaning_is_idempotent()
    {
        const string dirty = "\u001b[31mred\u001b]0;t\u0007 \u202eabc\u0000\tz";

        var once = TextSanitizer.Clean(dirty);

        Assert.Equal(once, TextSanitizer.Clean(once));
        Assert.Equal("red abc\tz", once);
    }
}
