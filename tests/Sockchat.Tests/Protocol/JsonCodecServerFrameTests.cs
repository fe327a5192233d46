using System.Text;
using Sockchat.Protocol;

namespace Sockchat.Tests.Protocol;

/// <summary>The JSON dialect, server to client: what the server sends and what join makes of it.</summary>
public sealed class JsonCodecServerFrameTests
{
    private static readonly DateTimeOffset Ts = new(2026, 11, 22, 10, 15, 30, 123, TimeSpan.Zero);

    private static readonly Dictionary<string, ServerFrame> Samples = new()
    {
        ["welcome"] = new WelcomeFrame("alice", "sockchat", "0.1.0", ["general", "dev"], 16384, "be nice"),
        ["welcome without motd"] = new WelcomeFrame("alice", "sockchat", "0.1.0", ["general"], 1024, null),
        ["msg"] = new MsgFrame("general", 1, Ts, "alice", "hello"),
        ["msg action"] = new MsgFrame("dev", 2, Ts, "alice", "waves", Action: true),
        ["msg replayed"] = new MsgFrame("dev", long.MaxValue, Ts, "bob", "old news", History: true),
        ["msg non-ascii and json-significant"] = new MsgFrame("general", 3, Ts, "jörg", "héllo 🎉 \"q\" \\ </script> & tab\t", false, false),
        ["dm"] = new DmMessageFrame(Ts, "alice", "bob", "psst"),
        ["joined"] = new JoinedFrame("general", "alice", Ts),
        ["left"] = new LeftFrame("general", "alice", Ts, null),
        ["left with reason"] = new LeftFrame("general", "alice", Ts, "quit"),
        ["joined batch"] = new JoinedFrame("general", "alice", Ts, ["alice", "bob", "carol"]),
        ["left batch with reason"] = new LeftFrame("general", "alice", Ts, "disconnected", ["alice", "bob"]),
        ["nick"] = new NickChangedFrame("alice", "al", Ts),
        ["ack"] = new AckFrame(new FrameId("42"), 17),
        ["ack without seq"] = new AckFrame(FrameId.FromString("d-1"), null),
        ["error"] = new ErrorFrame(ErrorCodes.NameTaken, "that name is in use"),
        ["error with id"] = new ErrorFrame(ErrorCodes.UnknownCommand, "unknown type frobnicate", FrameId.FromString("x1")),
        ["shutdown"] = new ShutdownFrame("maintenance"),
        ["who"] = new WhoReplyFrame("dev", ["alice", "bob"]),
        ["who empty"] = new WhoReplyFrame("dev", []),
        ["rooms"] = new RoomsReplyFrame([new RoomInfo("general", 3), new RoomInfo("dev", 1)]),
        ["history"] = new HistoryReplyFrame("dev", [new MsgFrame("dev", 1, Ts, "alice", "one", History: true), new MsgFrame("dev", 2, Ts.AddSeconds(1), "bob", "two", Action: true, History: true)]),
        ["history empty"] = new HistoryReplyFrame("dev", []),
        ["pong"] = new PongFrame(null),
        ["pong with id"] = new PongFrame(new FrameId("7")),
        ["notice"] = new NoticeFrame("what is your nickname?"),
    };

    public static TheoryData<string> SampleNames => [.. Samples.Keys];

    private static string Line(byte[] encoded) => Encoding.UTF8.GetString(encoded).TrimEnd('\n');

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Every_server_frame_survives_encoding_and_parsing(string sample)
    {
        // Arrange
        var frame = Samples[sample];
        var encoded = JsonCodec.Encode(frame);

        // Act
        var parsed = JsonCodec.ParseServerFrame(Line(encoded));

        // Assert: same type, and nothing lost (frames holding lists compare by reference, so compare their bytes).
        Assert.NotNull(parsed);
        Assert.Equal(frame.GetType(), parsed.GetType());
        Assert.Equal(Line(encoded), Line(JsonCodec.Encode(parsed)));
    }

    [Fact]
    public void A_batched_joined_keeps_name_as_the_first_and_adds_names_and_count()
    {
        var line = Line(JsonCodec.Encode(Samples["joined batch"]));

        var joined = Assert.IsType<JoinedFrame>(JsonCodec.ParseServerFrame(line));

        Assert.Equal("""{"type":"joined","room":"general","name":"alice","names":["alice","bob","carol"],"count":3,"ts":"2026-11-22T10:15:30.123Z"}""", line);
        Assert.Equal(("alice", 3), (joined.Name, joined.Count));
        Assert.Equal(["alice", "bob", "carol"], joined.Names);
    }

    [Fact]
    public void A_one_name_notice_has_no_names_or_count_and_a_list_of_one_reads_as_one()
    {
        var single = Line(JsonCodec.Encode(new LeftFrame("general", "alice", Ts, null, ["alice"])));
        var parsed = Assert.IsType<LeftFrame>(JsonCodec.ParseServerFrame("""{"type":"left","room":"general","name":"bob","names":["bob"],"ts":"2026-11-22T10:15:30.123Z"}"""));

        Assert.DoesNotContain("names", single, StringComparison.Ordinal);
        Assert.DoesNotContain("count", single, StringComparison.Ordinal);
        Assert.Equal(("bob", null, 1), (parsed.Name, parsed.Names, parsed.Count));
    }

    [Fact]
    public void A_batch_without_name_takes_the_first_of_its_names()
    {
        var joined = Assert.IsType<JoinedFrame>(JsonCodec.ParseServerFrame("""{"type":"joined","room":"dev","names":["x","y"],"count":2}"""));

        Assert.Equal(("x", 2), (joined.Name, joined.Count));
    }

    [Fact]
    public void A_message_parses_to_an_equal_record()
    {
        var frame = new MsgFrame("dev", 9, Ts, "alice", "hi", Action: true);

        Assert.Equal(frame, JsonCodec.ParseServerFrame(Line(JsonCodec.Encode(frame))));
    }

    [Fact]
    public void A_welcome_carries_the_server_rooms_and_line_limit()
    {
        var line = Line(JsonCodec.Encode(Samples["welcome"]));

        var welcome = Assert.IsType<WelcomeFrame>(JsonCodec.ParseServerFrame(line));

        Assert.Equal(("alice", "sockchat", "0.1.0", 16384, "be nice"), (welcome.Name, welcome.ServerName, welcome.ServerVersion, welcome.MaxLineBytes, welcome.Motd));
        Assert.Equal(["general", "dev"], welcome.Rooms);
        Assert.Contains("\"limits\":{\"maxLineBytes\":16384}", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Replayed_history_messages_are_marked_as_history_even_when_the_flag_is_missing()
    {
        const string line = """{"type":"history","room":"dev","messages":[{"type":"msg","room":"dev","seq":1,"ts":"2026-11-22T10:15:30.123Z","from":"alice","text":"one"}]}""";

        var history = Assert.IsType<HistoryReplyFrame>(JsonCodec.ParseServerFrame(line));

        Assert.Equal([new MsgFrame("dev", 1, Ts, "alice", "one", History: true)], history.Messages);
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Every_encoded_server_frame_is_one_line_ending_in_a_single_newline(string sample)
    {
        var bytes = JsonCodec.Encode(Samples[sample]);

        Assert.Equal((byte)'\n', bytes[^1]);
        Assert.Equal(1, bytes.Count(b => b == (byte)'\n'));
    }

    [Fact]
    public void Text_containing_newlines_is_still_encoded_as_one_line()
    {
        // Arrange
        var frame = new MsgFrame("general", 1, Ts, "alice", "one\ntwo\r\nthree\u2028four");

        // Act
        var bytes = JsonCodec.Encode(frame);

        // Assert
        Assert.Equal(1, bytes.Count(b => b == (byte)'\n'));
        Assert.Equal((byte)'\n', bytes[^1]);
        Assert.DoesNotContain((byte)'\r', bytes);
        Assert.Contains("one\\ntwo\\r\\nthree", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "2026-11-22T10:15:30.123Z")]
    [InlineData(2, "2026-11-22T10:15:30.123Z")]
    [InlineData(-5, "2026-11-22T10:15:30.123Z")]
    public void Timestamps_are_written_in_utc_with_milliseconds(int offsetHours, string expected)
    {
        // Arrange: the same instant, expressed in different offsets.
        var ts = Ts.ToOffset(TimeSpan.FromHours(offsetHours));

        // Act
        var line = Line(JsonCodec.Encode(new JoinedFrame("general", "alice", ts)));

        // Assert
        Assert.Contains($"\"ts\":\"{expected}\"", line, StringComparison.Ordinal);
        Assert.Equal(expected, JsonCodec.FormatTimestamp(ts));
    }

    [Fact]
    public void A_timestamp_on_a_whole_second_still_has_three_millisecond_digits()
    {
        Assert.Equal("2026-01-02T03:04:05.000Z", JsonCodec.FormatTimestamp(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)));
    }

    [Fact]
    public void A_timestamp_is_truncated_not_rounded_to_milliseconds()
    {
        var ts = Ts.AddTicks(9999);

        Assert.Equal("2026-11-22T10:15:30.123Z", JsonCodec.FormatTimestamp(ts));
    }

    [Theory]
    [InlineData(1, 1, 1, 0, 0, 0, 0, "0001-01-01T00:00:00.000Z")]
    [InlineData(999, 12, 31, 23, 59, 59, 7, "0999-12-31T23:59:59.007Z")]
    [InlineData(9999, 12, 31, 23, 59, 59, 999, "9999-12-31T23:59:59.999Z")]
    [InlineData(2024, 2, 29, 9, 5, 7, 40, "2024-02-29T09:05:07.040Z")]
    public void Every_field_of_a_timestamp_is_zero_padded_to_its_width(int y, int mo, int d, int h, int mi, int s, int ms, string expected)
    {
        // Arrange
        var ts = new DateTimeOffset(y, mo, d, h, mi, s, ms, TimeSpan.Zero);

        // Act
        var line = Line(JsonCodec.Encode(new MsgFrame("general", 1, ts, "alice", "hi")));

        // Assert
        Assert.Equal(expected, JsonCodec.FormatTimestamp(ts));
        Assert.Contains($"\"ts\":\"{expected}\"", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("héllo")]
    [InlineData("日本語 Ελληνικά")]
    public void Non_ascii_text_is_written_as_utf8_not_escaped(string text)
    {
        // Act
        var bytes = JsonCodec.Encode(new MsgFrame("general", 1, Ts, "jörg", text));
        var line = Encoding.UTF8.GetString(bytes);

        // Assert
        Assert.Contains($"\"text\":\"{text}\"", line, StringComparison.Ordinal);
        Assert.Contains("\"from\":\"jörg\"", line, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("party 🎉")]
    [InlineData("𝐀𝐁")]
    public void Text_beyond_the_basic_plane_survives_the_round_trip(string text)
    {
        // Characters outside the BMP are written as \u surrogate-pair escapes (valid JSON,
        // documented in docs/protocol.md); what matters to users is that they arrive intact.
        var bytes = JsonCodec.Encode(new MsgFrame("general", 1, Ts, "jörg", text));

        var parsed = Assert.IsType<MsgFrame>(JsonCodec.ParseServerFrame(Encoding.UTF8.GetString(bytes)));

        Assert.Equal(text, parsed.Text);
    }

    [Fact]
    public void Quotes_and_backslashes_in_text_are_escaped()
    {
        var line = Line(JsonCodec.Encode(new MsgFrame("general", 1, Ts, "alice", "say \"hi\" \\o/")));

        Assert.Contains("\"text\":\"say \\\"hi\\\" \\\\o/\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_from_the_server_is_written_exactly_as_documented()
    {
        var line = Encoding.UTF8.GetString(JsonCodec.Encode(new MsgFrame("general", 5, Ts, "alice", "hello")));

        Assert.Equal("""{"type":"msg","room":"general","seq":5,"ts":"2026-11-22T10:15:30.123Z","from":"alice","text":"hello"}""" + "\n", line);
    }

    [Fact]
    public void Text_from_the_server_is_cleaned_again_by_the_client()
    {
        const string line = """{"type":"msg","room":"general","seq":1,"ts":"2026-11-22T10:15:30.123Z","from":"ali\u001b[31mce","text":"\u001b]0;owned\u0007hi\u202e"}""";

        var msg = Assert.IsType<MsgFrame>(JsonCodec.ParseServerFrame(line));

        Assert.Equal(("alice", "hi"), (msg.From, msg.Text));
    }

    [Fact]
    public void Unknown_fields_from_the_server_are_ignored()
    {
        const string line = """{"type":"joined","room":"dev","name":"bob","ts":"2026-11-22T10:15:30.123Z","colour":"blue","extra":{"a":[1]}}""";

        Assert.Equal(new JoinedFrame("dev", "bob", Ts), JsonCodec.ParseServerFrame(line));
    }

    [Theory]
    [InlineData("")]
    [InlineData("what is your nickname?")]
    [InlineData("* alice joined #general")]
    [InlineData("{not json")]
    [InlineData("[1,2]")]
    [InlineData("{}")]
    [InlineData("""{"type":"frobnicate"}""")]
    [InlineData("""{"type":7}""")]
    [InlineData("""{"type":"ack","seq":3}""")]
    [InlineData("""{"type":"msg","room":"dev","text":"\ud800"}""")]
    public void Lines_that_are_not_a_known_server_frame_are_ignored(string line)
    {
        Assert.Null(JsonCodec.ParseServerFrame(line));
    }
}
