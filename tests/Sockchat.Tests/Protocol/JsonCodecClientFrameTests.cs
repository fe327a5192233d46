using System.Text;
using Sockchat.Protocol;

namespace Sockchat.Tests.Protocol;

/// <summary>The JSON dialect, client to server: what join/say/bots send and what the server makes of it.</summary>
public sealed class JsonCodecClientFrameTests
{
    private static readonly Dictionary<string, ClientFrame> Samples = new()
    {
        ["say"] = new SayFrame(null, "hello", null),
        ["say to a room with a string id"] = new SayFrame("dev", "hello", FrameId.FromString("c-1")),
        ["say with a numeric id"] = new SayFrame("dev", "hello", new FrameId("42")),
        ["say an action"] = new SayFrame(null, "waves", null, Action: true),
        ["say non-ascii"] = new SayFrame(null, "héllo 🎉 \"quoted\" \\ back\tslash", null),
        ["dm"] = new DmFrame("bob", "psst", null),
        ["dm with id"] = new DmFrame("bob", "psst", new FrameId("7")),
        ["join"] = new JoinFrame("dev"),
        ["part a room"] = new PartFrame("dev"),
        ["part the current room"] = new PartFrame(null),
        ["nick"] = new NickFrame("al"),
        ["who"] = new WhoFrame(null),
        ["who in a room"] = new WhoFrame("dev"),
        ["rooms"] = new RoomsFrame(),
        ["history before"] = new HistoryFrame("dev", 100, null, 20),
        ["history after"] = new HistoryFrame("dev", null, 5, null),
        ["history of the current room"] = new HistoryFrame(null, null, null, null),
        ["ping"] = new PingFrame(null),
        ["ping with id"] = new PingFrame(FrameId.FromString("p1")),
        ["quit"] = new QuitFrame(null),
        ["quit with reason"] = new QuitFrame("bye"),
        ["unknown"] = new UnknownFrame("frobnicate", new FrameId("3")),
    };

    public static TheoryData<string> SampleNames => [.. Samples.Keys];

    private static string Line(byte[] encoded) => Encoding.UTF8.GetString(encoded).TrimEnd('\n');

    private static ClientFrame RoundTrip(ClientFrame frame) => JsonCodec.ParseClientFrame(Line(JsonCodec.Encode(frame)));

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Every_client_frame_survives_encoding_and_parsing(string sample)
    {
        var frame = Samples[sample];

        var parsed = RoundTrip(frame);

        Assert.Equal(frame, parsed);
    }

    [Fact]
    public void A_full_hello_survives_encoding_and_parsing()
    {
        // Arrange
        var hello = new HelloFrame("alice", "dev", "s3cret", Presence: false, new Dictionary<string, long> { ["dev"] = 12, ["general"] = 3 });

        // Act
        var parsed = Assert.IsType<HelloFrame>(RoundTrip(hello));

        // Assert
        Assert.Equal(("alice", "dev", "s3cret", false), (parsed.Name, parsed.Room, parsed.Password, parsed.Presence));
        Assert.Equal(hello.Since!.OrderBy(e => e.Key), parsed.Since!.OrderBy(e => e.Key));
    }

    [Fact]
    public void A_hello_may_ask_for_no_presence_notices_and_says_so_on_the_wire()
    {
        // Arrange
        var hello = new HelloFrame("alice", null, null, true, null, PresenceNotices: false);

        // Act
        var line = System.Text.Encoding.UTF8.GetString(JsonCodec.Encode(hello));
        var parsed = Assert.IsType<HelloFrame>(JsonCodec.ParseClientFrame(line));

        // Assert
        Assert.Contains("\"presenceNotices\":false", line, StringComparison.Ordinal);
        Assert.Equal(hello, parsed);
    }

    [Fact]
    public void A_hello_wants_presence_notices_unless_it_says_otherwise()
    {
        Assert.True(Assert.IsType<HelloFrame>(JsonCodec.ParseClientFrame("""{"type":"hello","name":"a","presenceNotices":true}""")).PresenceNotices);
        Assert.DoesNotContain("presenceNotices", System.Text.Encoding.UTF8.GetString(JsonCodec.Encode(new HelloFrame("a", null, null, true, null))), StringComparison.Ordinal);
    }

    [Fact]
    public void A_minimal_hello_defaults_to_present_with_no_room_or_password()
    {
        var parsed = Assert.IsType<HelloFrame>(JsonCodec.ParseClientFrame("""{"type":"hello","name":"alice"}"""));

        Assert.Equal(new HelloFrame("alice", null, null, true, null), parsed);
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Every_encoded_client_frame_is_one_line_ending_in_a_single_newline(string sample)
    {
        var bytes = JsonCodec.Encode(Samples[sample]);

        Assert.Equal((byte)'\n', bytes[^1]);
        Assert.Equal(1, bytes.Count(b => b == (byte)'\n'));
        Assert.DoesNotContain((byte)'\r', bytes);
    }

    [Fact]
    public void Text_with_line_breaks_is_encoded_on_one_line()
    {
        var bytes = JsonCodec.Encode(new SayFrame(null, "one\ntwo\r\nthree", null));

        Assert.Equal(1, bytes.Count(b => b == (byte)'\n'));
        Assert.DoesNotContain((byte)'\r', bytes);
        Assert.Equal((byte)'\n', bytes[^1]);
    }

    [Theory]
    [InlineData("héllo")]
    [InlineData("日本語")]
    public void Non_ascii_text_is_written_as_utf8_not_escaped(string text)
    {
        var line = Encoding.UTF8.GetString(JsonCodec.Encode(new SayFrame(null, text, null)));

        Assert.Contains($"\"text\":\"{text}\"", line, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", line, StringComparison.Ordinal);
    }

    public static TheoryData<string> MalformedLines =>
    [
        "",
        "not json",
        "{",
        "{\"type\":\"say\",\"text\":\"hi\"",
        "{\"type\":\"say\",\"text\":\"hi\"} trailing",
        "{\"type\":\"say\" /* comment */ ,\"text\":\"hi\"}",
        "{'type':'say'}",
        "[1,2,3]",
        "[{\"type\":\"say\",\"text\":\"hi\"}]",
        "\"say\"",
        "42",
        "true",
        "null",
        new string('[', 100) + new string(']', 100),
        "{\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 41),
    ];

    [Theory]
    [MemberData(nameof(MalformedLines))]
    public void Malformed_json_or_a_non_object_is_a_bad_frame(string line)
    {
        var frame = Assert.IsType<InvalidFrame>(JsonCodec.ParseClientFrame(line));

        Assert.Equal(ErrorCodes.BadFrame, frame.Code);
        Assert.False(string.IsNullOrWhiteSpace(frame.Message));
    }

    [Theory]
    [InlineData("""{"text":"hi"}""")]
    [InlineData("""{}""")]
    [InlineData("""{"type":null}""")]
    [InlineData("""{"type":5}""")]
    [InlineData("""{"type":["say"]}""")]
    [InlineData("""{"type":{"name":"say"}}""")]
    [InlineData("""{"Type":"say","text":"hi"}""")]
    public void A_frame_without_a_string_type_is_a_bad_frame(string line)
    {
        var frame = Assert.IsType<InvalidFrame>(JsonCodec.ParseClientFrame(line));

        Assert.Equal(ErrorCodes.BadFrame, frame.Code);
    }

    [Theory]
    [InlineData("""{"type":"say","text":5}""")]
    [InlineData("""{"type":"say","text":["hi"]}""")]
    [InlineData("""{"type":"say","text":"hi","room":7}""")]
    [InlineData("""{"type":"dm","to":{"name":"bob"},"text":"hi"}""")]
    [InlineData("""{"type":"join","room":true}""")]
    [InlineData("""{"type":"nick","name":1}""")]
    [InlineData("""{"type":"hello","name":"alice","password":1234}""")]
    [InlineData("""{"type":"hello","name":42}""")]
    [InlineData("""{"type":"quit","reason":false}""")]
    public void A_string_field_of_the_wrong_type_is_a_bad_frame(string line)
    {
        var frame = Assert.IsType<InvalidFrame>(JsonCodec.ParseClientFrame(line));

        Assert.Equal(ErrorCodes.BadFrame, frame.Code);
    }

    [Theory]
    [InlineData("""{"type":"history","room":"dev","before":"100"}""")]
    [InlineData("""{"type":"history","room":"dev","after":"x"}""")]
    [InlineData("""{"type":"history","room":"dev","limit":"5"}""")]
    [InlineData("""{"type":"hello","name":"ci","presence":"false"}""")]
    [InlineData("""{"type":"hello","name":"ci","presenceNotices":0}""")]
    [InlineData("""{"type":"hello","name":"alice","since":[1,2]}""")]
    [InlineData("""{"type":"say","text":"waves","action":"yes"}""")]
    public void A_number_bool_or_object_field_of_the_wrong_type_is_a_bad_frame(string line)
    {
        // JsonCodec's own summary promises "a missing/ill-typed field becomes an InvalidFrame".
        var frame = JsonCodec.ParseClientFrame(line);

        var invalid = Assert.IsType<InvalidFrame>(frame);
        Assert.Equal(ErrorCodes.BadFrame, invalid.Code);
    }

    [Theory]
    [InlineData("""{"type":"say"}""", "text")]
    [InlineData("""{"type":"say","text":null}""", "text")]
    [InlineData("""{"type":"dm","text":"hi"}""", "to")]
    [InlineData("""{"type":"dm","to":"bob"}""", "text")]
    [InlineData("""{"type":"join"}""", "room")]
    [InlineData("""{"type":"nick"}""", "name")]
    [InlineData("""{"type":"hello"}""", "name")]
    public void A_frame_missing_a_required_field_is_a_bad_frame_naming_the_field(string line, string field)
    {
        var frame = Assert.IsType<InvalidFrame>(JsonCodec.ParseClientFrame(line));

        Assert.Equal(ErrorCodes.BadFrame, frame.Code);
        Assert.Contains($"\"{field}\"", frame.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_frame_keeps_its_id_so_the_error_can_echo_it()
    {
        var frame = Assert.IsType<InvalidFrame>(JsonCodec.ParseClientFrame("""{"type":"say","id":"s-9"}"""));

        Assert.Equal(new FrameId("\"s-9\""), frame.Id);
    }

    [Theory]
    [InlineData("""{"type":"frobnicate","id":"x1"}""", "frobnicate", "\"x1\"")]
    [InlineData("""{"type":"frobnicate","id":17}""", "frobnicate", "17")]
    [InlineData("""{"type":"frobnicate"}""", "frobnicate", null)]
    [InlineData("""{"type":"\u001b[31mevil"}""", "evil", null)]
    public void An_unknown_type_is_an_unknown_frame_with_its_id(string line, string type, string? rawId)
    {
        var frame = JsonCodec.ParseClientFrame(line);

        Assert.Equal(new UnknownFrame(type, rawId is null ? null : new FrameId(rawId)), frame);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1.50")]
    [InlineData("1e3")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("\"abc\"")]
    [InlineData("\"\"")]
    [InlineData("\"caf\\u00e9\"")]
    [InlineData("\"héllo 🎉\"")]
    public void An_id_is_kept_and_echoed_exactly_as_sent(string rawId)
    {
        // Act
        var ping = Assert.IsType<PingFrame>(JsonCodec.ParseClientFrame($$"""{"type":"ping","id":{{rawId}}}"""));
        var say = Assert.IsType<SayFrame>(JsonCodec.ParseClientFrame($$"""{"id":{{rawId}},"type":"say","text":"hi"}"""));
        var pong = Encoding.UTF8.GetString(JsonCodec.Encode(new PongFrame(ping.Id)));
        var ack = Encoding.UTF8.GetString(JsonCodec.Encode(new AckFrame(say.Id!.Value, 3)));

        // Assert
        Assert.Equal(rawId, ping.Id?.RawJson);
        Assert.Equal(rawId, say.Id?.RawJson);
        Assert.Contains($"\"id\":{rawId}", pong, StringComparison.Ordinal);
        Assert.Contains($"\"id\":{rawId}", ack, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_id_is_the_same_as_no_id()
    {
        var ping = Assert.IsType<PingFrame>(JsonCodec.ParseClientFrame("""{"type":"ping","id":null}"""));

        Assert.Null(ping.Id);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("{}")]
    [InlineData("[1]")]
    public void An_id_that_is_neither_string_nor_number_is_a_bad_frame_naming_the_id(string rawId)
    {
        var frame = JsonCodec.ParseClientFrame($$"""{"type":"say","text":"hi","id":{{rawId}}}""");

        Assert.Equal(new InvalidFrame(ErrorCodes.BadFrame, "\"id\" must be a string or a number", null), frame);
    }

    [Theory]
    [InlineData("""{"type":"say","text":5,"id":"s1"}""", "\"text\" must be a string")]
    [InlineData("""{"type":"say","text":"hi","room":["dev"],"id":"s1"}""", "\"room\" must be a string")]
    [InlineData("""{"type":"say","text":"hi","action":1,"id":"s1"}""", "\"action\" must be true or false")]
    [InlineData("""{"type":"history","room":"dev","limit":-1,"id":"s1"}""", "\"limit\" must be a whole number, 1 or more")]
    [InlineData("""{"type":"history","room":"dev","limit":0,"id":"s1"}""", "\"limit\" must be a whole number, 1 or more")]
    [InlineData("""{"type":"history","room":"dev","limit":2.5,"id":"s1"}""", "\"limit\" must be a whole number, 1 or more")]
    [InlineData("""{"type":"history","room":"dev","before":-1,"id":"s1"}""", "\"before\" must be a whole number, 0 or more")]
    [InlineData("""{"type":"history","room":"dev","after":1e40,"id":"s1"}""", "\"after\" must be a whole number, 0 or more")]
    [InlineData("""{"type":"history","room":"dev","before":10,"after":2,"id":"s1"}""", "\"before\" and \"after\" cannot be used together")]
    [InlineData("""{"type":"join","room":"dev","since":-3,"id":"s1"}""", "\"since\" must be a whole number, 0 or more")]
    [InlineData("""{"type":"join","room":"dev","since":"3","id":"s1"}""", "\"since\" must be a whole number, 0 or more")]
    [InlineData("""{"type":"ping","since":7,"id":"s1"}""", "\"since\" must be an object of room: seq")]
    public void A_field_of_the_wrong_type_or_range_is_a_bad_frame_naming_the_field_and_keeping_the_id(string line, string message)
    {
        var frame = JsonCodec.ParseClientFrame(line);

        Assert.Equal(new InvalidFrame(ErrorCodes.BadFrame, message, new FrameId("\"s1\"")), frame);
    }

    [Theory]
    [InlineData("""{"type":"hello","name":"al","since":{"general":"5"}}""", "general")]
    [InlineData("""{"type":"hello","name":"al","since":{"dev":3,"general":-1}}""", "general")]
    [InlineData("""{"type":"hello","name":"al","since":{"general":1.5}}""", "general")]
    [InlineData("""{"type":"hello","name":"al","since":{"general":null}}""", "general")]
    [InlineData("""{"type":"hello","name":"al","since":{"general":{"seq":1}}}""", "general")]
    public void A_hello_since_with_a_value_that_is_not_a_seq_is_a_bad_frame_naming_the_room(string line, string room)
    {
        var frame = Assert.IsType<InvalidFrame>(JsonCodec.ParseClientFrame(line));

        Assert.Equal(ErrorCodes.BadFrame, frame.Code);
        Assert.Contains("\"since\"", frame.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{room}\"", frame.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_history_with_before_or_after_alone_and_a_limit_is_read_as_sent()
    {
        Assert.Equal(new HistoryFrame("dev", 10, null, 5), JsonCodec.ParseClientFrame("""{"type":"history","room":"dev","before":10,"limit":5}"""));
        Assert.Equal(new HistoryFrame("dev", null, 0, null), JsonCodec.ParseClientFrame("""{"type":"history","room":"dev","after":0,"before":null}"""));
    }

    [Fact]
    public void Unknown_fields_are_ignored()
    {
        const string line = """{"v":2,"type":"say","color":"red","text":"hi","extra":{"nested":[1,{"deep":null}]},"room":"dev"}""";

        Assert.Equal(new SayFrame("dev", "hi", null), JsonCodec.ParseClientFrame(line));
    }

    [Fact]
    public void Text_is_cleaned_of_escape_sequences_and_controls_as_it_is_parsed()
    {
        const string line = """{"type":"say","text":"\u001b[2J\u001b]0;pwned\u0007hi\nthere\u202e"}""";

        Assert.Equal(new SayFrame(null, "hithere", null), JsonCodec.ParseClientFrame(line));
    }

    [Theory]
    [InlineData("""{"type":"say","text":"\ud800"}""")]
    [InlineData("""{"type":"say","text":"ok \udc00 ok"}""")]
    [InlineData("""{"type":"\ud83d","id":1}""")]
    [InlineData("""{"type":"join","room":"\udfff"}""")]
    public void A_lone_surrogate_escape_in_a_string_never_makes_parsing_throw(string line)
    {
        // Pure ASCII on the wire, so it gets past UTF-8 decoding; ParseClientFrame promises never to throw.
        var exception = Record.Exception(() => JsonCodec.ParseClientFrame(line));

        Assert.Null(exception);
    }

    [Theory]
    [InlineData("""{"type":"hello","name":"alice"}""", true)]
    [InlineData("""   {"type":"hello"}""", true)]
    [InlineData("alice", false)]
    [InlineData("[\"hello\"]", false)]
    public void Only_a_line_starting_with_a_brace_selects_the_json_dialect(string firstLine, bool json)
    {
        Assert.Equal(json, JsonCodec.LooksLikeJsonObject(firstLine));
    }

    [Fact]
    public void Frames_with_no_json_form_cannot_be_encoded()
    {
        Assert.Throws<ArgumentException>(() => JsonCodec.Encode(new HelpFrame()));
        Assert.Throws<ArgumentException>(() => JsonCodec.Encode(new InvalidFrame(ErrorCodes.BadFrame, "x", null)));
    }
}
