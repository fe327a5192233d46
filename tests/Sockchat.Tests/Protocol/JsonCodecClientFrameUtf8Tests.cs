using System.Text;
using Sockchat.Protocol;
using Sockchat.Tests.Robustness;
using Xunit.Abstractions;

namespace Sockchat.Tests.Protocol;

/// <summary>
/// The JSON dialect, client to server, parsed straight from a line's UTF-8 bytes; and what the
/// parser makes of repeated fields and of fields in any order.
/// </summary>
public sealed class JsonCodecClientFrameUtf8Tests(ITestOutputHelper output)
{
    public static TheoryData<string> RepresentativeLines =>
    [
        """{"type":"say","text":"hello","id":"42"}""",
        """{"type":"say","room":"dev","text":"héllo 🎉 日本語 \"quoted\"","action":true,"id":7}""",
        """{"t\u0079pe":"say","\u0074ext":"escaped names","\u0069d":"e\u0041"}""",
        """{"type":"dm","to":"bob","text":"\u001b[2Jpsst\u202e"}""",
        """{"type":"join","room":"dev","since":12}""",
        """{"type":"history","room":"dev","before":100,"limit":20}""",
        """{"type":"quit","reason":"bye"}""",
        """{"type":"frobnicate","id":1e3}""",
        """{"type":"say","text":5}""",
        """{"type":"say","text":"\ud800"}""",
        """{"type":"say","text":"hi"} trailing""",
        """[{"type":"say","text":"hi"}]""",
        "",
    ];

    [Theory]
    [MemberData(nameof(RepresentativeLines))]
    public void Parsing_a_line_from_its_utf8_bytes_gives_what_parsing_the_string_gives(string line)
    {
        // Arrange
        var bytes = Encoding.UTF8.GetBytes(line);

        // Act
        var fromBytes = JsonCodec.ParseClientFrame(bytes);
        var fromString = JsonCodec.ParseClientFrame(line);

        // Assert
        Assert.Equal(fromString, fromBytes);
    }

    [Fact]
    public void A_hello_parsed_from_bytes_has_the_same_fields_and_since_as_from_the_string()
    {
        // Arrange
        const string line = """{"type":"hello","name":"José","room":"dev","password":"s3cret","presence":false,"since":{"dev":12,"général":3}}""";

        // Act
        var fromBytes = Assert.IsType<HelloFrame>(JsonCodec.ParseClientFrame(Encoding.UTF8.GetBytes(line)));
        var fromString = Assert.IsType<HelloFrame>(JsonCodec.ParseClientFrame(line));

        // Assert
        Assert.Equal(fromString with { Since = null }, fromBytes with { Since = null });
        Assert.Equal(fromString.Since!.OrderBy(e => e.Key), fromBytes.Since!.OrderBy(e => e.Key));
        Assert.Equal(new Dictionary<string, long> { ["dev"] = 12, ["général"] = 3 }.OrderBy(e => e.Key), fromBytes.Since!.OrderBy(e => e.Key));
    }

    [Fact]
    public void Multi_byte_utf8_text_is_decoded_from_the_bytes()
    {
        // Arrange
        var bytes = Encoding.UTF8.GetBytes("""{"type":"say","text":"héllo 🎉 日本語"}""");

        // Act
        var frame = JsonCodec.ParseClientFrame(bytes);

        // Assert
        Assert.Equal(new SayFrame(null, "héllo 🎉 日本語", null), frame);
    }

    [Fact]
    public void An_escaped_property_name_names_its_field_in_the_bytes()
    {
        // Arrange
        var bytes = Encoding.UTF8.GetBytes("""{"t\u0079pe":"say","\u0074ext":"hi","r\u006fom":"dev"}""");

        // Act
        var frame = JsonCodec.ParseClientFrame(bytes);

        // Assert
        Assert.Equal(new SayFrame("dev", "hi", null), frame);
    }

    [Fact]
    public void Invalid_utf8_in_the_bytes_is_read_as_replacement_characters_like_the_decoded_line()
    {
        // Arrange: 0xFF can never appear in UTF-8; 0xC3 starts a two-byte sequence that never ends.
        byte[] bytes = [.. """{"type":"say","text":"a"""u8, 0xFF, (byte)'b', 0xC3, .. "\"}"u8];

        // Act
        var frame = JsonCodec.ParseClientFrame(bytes);

        // Assert
        Assert.Equal(new SayFrame(null, "a\uFFFDb\uFFFD", null), frame);
        Assert.Equal(JsonCodec.ParseClientFrame(TextSanitizer.Decode(new(bytes))), frame);
    }

    [Fact]
    public void Parsing_any_wire_line_from_its_bytes_gives_what_parsing_the_decoded_line_gives()
    {
        var run = new FuzzRun(output, "JsonCodec.ParseClientFrame(bytes)", maxCases: 5_000, maxTime: TimeSpan.FromSeconds(3));
        using var inputs = FuzzInputs.WireLines(FuzzInputs.ClientLines, run.Random).GetEnumerator();
        while (run.NextCase() && inputs.MoveNext())
        {
            // Arrange: the line as the server's read loop decodes it today.
            var bytes = inputs.Current;
            var line = TextSanitizer.Decode(new(bytes));

            run.Check("ParseClientFrame(bytes)", line, () =>
            {
                // Act
                var fromBytes = JsonCodec.ParseClientFrame(bytes);
                var fromString = JsonCodec.ParseClientFrame(line);

                // Assert
                if (!SameFrame(fromString, fromBytes))
                {
                    run.Fail("ParseClientFrame(bytes)", line, $"{fromBytes} from the bytes, {fromString} from the string");
                }
            });
        }
        run.AssertClean();
    }

    [Theory]
    [InlineData("""{"type":"say","text":"first","text":"last"}""")]
    [InlineData("""{"type":"say","text":5,"text":"last"}""")]
    [InlineData("""{"type":"ping","type":"say","text":"last"}""")]
    [InlineData("""{"type":"say","text":"last","id":"a","id":null}""")]
    public void When_a_field_is_repeated_the_last_one_counts(string line)
    {
        var frame = JsonCodec.ParseClientFrame(line);

        Assert.Equal(new SayFrame(null, "last", null), frame);
    }

    [Fact]
    public void A_repeated_field_whose_last_value_has_the_wrong_type_is_a_bad_frame()
    {
        var frame = JsonCodec.ParseClientFrame("""{"type":"say","text":"fine","text":5}""");

        Assert.Equal(new InvalidFrame(ErrorCodes.BadFrame, "\"text\" must be a string", null), frame);
    }

    [Fact]
    public void A_room_repeated_in_a_hello_since_keeps_its_last_whole_number()
    {
        // Arrange
        const string line = """{"type":"hello","name":"al","since":{"dev":1,"dev":2,"dev":"three"},"since":{"general":5,"general":6}}""";

        // Act
        var hello = Assert.IsType<HelloFrame>(JsonCodec.ParseClientFrame(line));

        // Assert: the last "since" counts, and within it the last whole number for each room.
        var entry = Assert.Single(hello.Since!);
        Assert.Equal(("general", 6L), (entry.Key, entry.Value));
    }

    [Theory]
    [InlineData("""{"text":"hi","room":"dev","id":7,"type":"say"}""")]
    [InlineData("""{"id":7,"room":"dev","type":"say","text":"hi"}""")]
    [InlineData("""{"room":"dev","type":"say","id":7,"text":"hi"}""")]
    public void The_fields_of_a_frame_may_come_in_any_order_the_type_last_included(string line)
    {
        var frame = JsonCodec.ParseClientFrame(line);

        Assert.Equal(new SayFrame("dev", "hi", new FrameId("7")), frame);
    }

    [Fact]
    public void A_hello_with_its_type_last_is_a_hello()
    {
        var frame = JsonCodec.ParseClientFrame("""{"name":"al","presence":false,"room":"dev","type":"hello"}""");

        Assert.Equal(new HelloFrame("al", "dev", null, false, null), frame);
    }

    [Fact]
    public void A_since_before_a_type_that_comes_last_is_checked_by_that_type()
    {
        // "since" is a whole number for join and an object for hello; the type decides even when it comes last.
        var join = JsonCodec.ParseClientFrame("""{"room":"dev","since":{"dev":1},"type":"join"}""");

        Assert.Equal(new InvalidFrame(ErrorCodes.BadFrame, "\"since\" must be a whole number, 0 or more", null), join);
    }

    [Fact]
    public void A_property_name_holding_half_a_surrogate_pair_after_the_fields_is_a_bad_frame()
    {
        var frame = JsonCodec.ParseClientFrame("""{"type":"ping","id":1,"\ud800":1}""");

        Assert.Equal(new InvalidFrame(ErrorCodes.BadFrame, "a property name holds an invalid \\u escape", new FrameId("1")), frame);
    }

    private static bool SameFrame(ClientFrame expected, ClientFrame actual) => (expected, actual) switch
    {
        (HelloFrame e, HelloFrame a) => e with { Since = null } == a with { Since = null }
            && (e.Since is null ? a.Since is null : a.Since is not null && e.Since.Count == a.Since.Count && e.Since.All(entry => a.Since.TryGetValue(entry.Key, out var seq) && seq == entry.Value)),
        _ => expected.Equals(actual),
    };
}
