using Sockchat.Protocol;

namespace Sockchat.Tests.Robustness;

/// <summary>
/// Single hostile inputs, each pinned down by name: the cases the fuzzers look for, kept as plain
/// examples so that a regression names itself. The lone-surrogate and escape-before-emoji cases
/// document defects found while fuzzing (see the remarks on each).
/// </summary>
public sealed class ParserEdgeCaseTests
{
    [Theory]
    [InlineData("""{"type":"say","text":"\ud800 escaped lone surrogate"}""")]
    [InlineData("""{"type":"say","text":"x","deep":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}""")]
    [InlineData("""{"type":"history","limit":1e400}""")]
    [InlineData("""{"type":"history","before":99999999999999999999999}""")]
    [InlineData("""{"type":"hello","name":"a","presence":"false"}""")]
    [InlineData("""{"type":"say","text":"unterminated""")]
    [InlineData("""{"type":"say","text":"x"} trailing""")]
    public void A_hostile_json_client_line_is_answered_bad_frame(string line)
    {
        // Act
        var frame = JsonCodec.ParseClientFrame(line);

        // Assert
        var invalid = Assert.IsType<InvalidFrame>(frame);
        Assert.Equal(ErrorCodes.BadFrame, invalid.Code);
    }

    [Fact]
    public void Nul_bell_and_escape_sequences_in_a_say_are_removed_as_it_is_parsed()
    {
        // Act
        var frame = JsonCodec.ParseClientFrame("""{"type":"say","text":"a\u0000b\u0007c\u001b[2Jd\u001b]0;title\u0007e\u202ef"}""");

        // Assert
        Assert.Equal("abcdef", Assert.IsType<SayFrame>(frame).Text);
    }

    [Fact]
    public void A_huge_numeric_id_is_kept_verbatim_to_be_echoed()
    {
        // Act
        var frame = JsonCodec.ParseClientFrame("""{"type":"ping","id":1e99999}""");

        // Assert
        Assert.Equal("1e99999", Assert.IsType<PingFrame>(frame).Id?.RawJson);
    }

    /// <summary>
    /// Defect: <c>JsonCodec.ParseClientFrame</c> is documented "Never throws" but passes the line
    /// to <c>JsonDocument.Parse(string)</c>, which throws <see cref="ArgumentException"/> ("Cannot
    /// transcode invalid UTF-16 string to UTF-8 JSON text") for a raw lone surrogate; only
    /// <see cref="System.Text.Json.JsonException"/> is caught (JsonCodec.cs, TryParseObject).
    /// The server's lines never hold one (they are decoded with replacement), so this is an API defect.
    /// </summary>
    [Fact]
    public void Parsing_a_client_line_holding_a_raw_lone_surrogate_answers_bad_frame_instead_of_throwing()
    {
        // Act
        ClientFrame? frame = null;
        var error = Record.Exception(() => frame = JsonCodec.ParseClientFrame("{\"type\":\"say\",\"text\":\"\ud800\"}"));

        // Assert
        Assert.Null(error);
        Assert.Equal(ErrorCodes.BadFrame, Assert.IsType<InvalidFrame>(frame).Code);
    }

    /// <summary>Defect: as above, for <c>JsonCodec.ParseServerFrame</c>, documented to return null for anything it cannot use.</summary>
    [Fact]
    public void Parsing_a_server_line_holding_a_raw_lone_surrogate_returns_null_instead_of_throwing()
    {
        // Act
        var error = Record.Exception(() => JsonCodec.ParseServerFrame("{\"type\":\"msg\",\"text\":\"\udc00\"}"));

        // Assert
        Assert.Null(error);
    }

    /// <summary>
    /// Defect: <c>Names.TryNormalizeNick</c> calls <see cref="string.Normalize(System.Text.NormalizationForm)"/>
    /// before checking the characters, and that throws <see cref="ArgumentException"/> ("String
    /// contains invalid Unicode code points") for a lone surrogate. A Try method should refuse it.
    /// </summary>
    [Fact]
    public void A_nickname_holding_a_lone_surrogate_is_refused_instead_of_throwing()
    {
        // Act
        var accepted = false;
        string? problem = null;
        var error = Record.Exception(() => accepted = Names.TryNormalizeNick("bob\ud800", out _, out problem));

        // Assert
        Assert.Null(error);
        Assert.False(accepted);
        Assert.NotNull(problem);
    }

    /// <summary>
    /// Defect, reachable from the network: U+FFFE is a valid scalar value (UTF-8 EF BF BE), but
    /// <see cref="string.Normalize(System.Text.NormalizationForm)"/> throws <see cref="ArgumentException"/>
    /// for it, and <c>Names.TryNormalizeNick</c> (Names.cs, the <c>Normalize(FormC)</c> call) does not
    /// catch it. See HygieneTests for what a client sees.
    /// </summary>
    [Fact]
    public void A_nickname_holding_the_noncharacter_U_FFFE_is_refused_instead_of_throwing()
    {
        // Act
        var accepted = false;
        string? problem = null;
        var error = Record.Exception(() => accepted = Names.TryNormalizeNick("bob￾", out _, out problem));

        // Assert
        Assert.Null(error);
        Assert.False(accepted);
        Assert.NotNull(problem);
    }

    /// <summary>
    /// Defect: <c>TextSanitizer.SkipEscapeSequence</c> treats <c>ESC x</c> as a two-character
    /// sequence for any <c>x</c>, UTF-16 unit by unit, so an ESC before an emoji removes the
    /// emoji's high surrogate and leaves the low one alone: valid text becomes invalid UTF-16, which
    /// the JSON encoder then sends as U+FFFD. ECMA-48 two-character sequences end in 0x20–0x7E.
    /// </summary>
    [Fact]
    public void Cleaning_an_escape_before_an_emoji_never_leaves_half_a_surrogate_pair()
    {
        // Act
        var cleaned = TextSanitizer.Clean("\u001b\U0001F600 smile");

        // Assert
        Assert.False(FuzzInputs.HasLoneSurrogate(cleaned), $"cleaned to {FuzzRun.Show(cleaned)}");
        Assert.EndsWith(" smile", cleaned);
    }

    [Theory]
    [InlineData("\u001b[31mred\u001b[0m", "red")]
    [InlineData("\u001b]0;title\u0007after", "after")]
    [InlineData("\u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\", "link")]
    [InlineData("\u009b2Jclear", "clear")]
    [InlineData("tab\tkept", "tab\tkept")]
    [InlineData("\u202eevil\u2066", "evil")]
    [InlineData("trailing escape\u001b", "trailing escape")]
    [InlineData("unfinished csi\u001b[1;2", "unfinished csi")]
    public void Cleaning_removes_escape_sequences_whole_and_keeps_tabs(string input, string expected)
    {
        // Act
        var cleaned = TextSanitizer.Clean(input);

        // Assert
        Assert.Equal(expected, cleaned);
    }
}
