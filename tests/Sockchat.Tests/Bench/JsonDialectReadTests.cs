using System.Text;
using System.Text.Json;
using Sockchat.Bench;
using static Sockchat.Tests.Bench.DialectHarness;

namespace Sockchat.Tests.Bench;

/// <summary>The generator's reading of sockchat's JSON dialect (docs/protocol.md) without a full parse.</summary>
public sealed class JsonDialectReadTests
{
    private readonly JsonDialect _dialect = new();

    /// <summary>A session past its welcome.</summary>
    private DialectSession Welcomed(int clientIndex = 0)
    {
        var session = Session(clientIndex);
        Assert.Equal(LineKind.Ready, _dialect.Read("""{"type":"welcome","name":"b0","rooms":["general"],"server":"sockchat"}""", session).Kind);
        return session;
    }

    [Fact]
    public void A_msg_frame_as_sockchat_writes_it_is_a_message_whose_payload_range_is_exactly_the_text()
    {
        // Arrange
        var payload = PayloadText(3, 17);
        var line = $$"""{"type":"msg","room":"general","seq":42,"ts":"2026-11-22T10:15:30.123Z","from":"b3","text":"{{payload}}"}""";

        // Act
        var read = _dialect.Read(line, Welcomed());

        // Assert
        Assert.Equal(LineKind.Message, read.Kind);
        Assert.Equal(payload, read.Payload);
        Assert.True(IsPayloadOf(read.Payload, 3, 17));
        Assert.Null(read.Reply);
    }

    [Fact]
    public void A_msg_frame_with_an_action_flag_after_the_text_still_yields_just_the_text()
    {
        // Arrange
        var payload = PayloadText(1, 0);
        var line = $$"""{"type":"msg","room":"general","seq":1,"ts":"2026-11-22T10:15:30.123Z","from":"b1","text":"{{payload}}","action":true}""";

        // Act
        var read = _dialect.Read(line, Welcomed());

        // Assert
        Assert.Equal(LineKind.Message, read.Kind);
        Assert.Equal(payload, read.Payload);
    }

    [Fact]
    public void A_msg_frame_with_its_fields_in_another_order_is_still_read()
    {
        // Arrange
        var payload = PayloadText(2, 5);
        var line = $$"""{"from":"b2","text":"{{payload}}","room":"general","type":"msg","seq":3}""";

        // Act
        var read = _dialect.Read(line, Welcomed());

        // Assert
        Assert.Equal(LineKind.Message, read.Kind);
        Assert.Equal(payload, read.Payload);
    }

    [Theory]
    [InlineData("""{"type":"msg","room":"general","seq":1,"ts":"2026-11-22T10:15:30.123Z","from":"b1","text":"PAYLOAD","history":true}""")]
    [InlineData("""{"history":true,"type":"msg","room":"general","from":"b1","text":"PAYLOAD"}""")]
    public void A_msg_replayed_from_history_is_ignored_not_counted(string template)
    {
        // Arrange
        var line = template.Replace("PAYLOAD", PayloadText(1, 0), StringComparison.Ordinal);

        // Act
        var read = _dialect.Read(line, Welcomed());

        // Assert
        Assert.Equal(LineKind.Ignored, read.Kind);
    }

    [Fact]
    public void A_spliced_text_inside_an_intact_frame_is_a_message_whose_range_then_fails_payload_parsing()
    {
        // Arrange: a relay-style splice of two payloads inside one frame.
        var a = PayloadText(1, 4);
        var b = PayloadText(2, 9);
        var line = $$"""{"type":"msg","room":"general","seq":7,"ts":"2026-11-22T10:15:30.123Z","from":"b1","text":"{{a[..30] + b[30..]}}"}""";

        // Act
        var read = _dialect.Read(line, Welcomed());

        // Assert
        Assert.Equal(LineKind.Message, read.Kind);
        Assert.False(Payload.TryParse(Encoding.ASCII.GetBytes(read.Payload), 64, out _));
    }

    [Fact]
    public void A_msg_frame_without_a_text_field_is_corrupt()
    {
        // Act
        var read = _dialect.Read("""{"type":"msg","room":"general","seq":7,"from":"b1"}""", Welcomed());

        // Assert
        Assert.Equal(LineKind.Corrupt, read.Kind);
    }

    [Fact]
    public void The_welcome_frame_makes_the_client_ready()
    {
        // Arrange
        var session = Session(4);

        // Act
        var read = _dialect.Read("""{"type":"welcome","name":"b4","rooms":["general"]}""", session);

        // Assert
        Assert.Equal(LineKind.Ready, read.Kind);
        Assert.Equal(1, session.Step);
    }

    [Fact]
    public void An_error_before_the_welcome_is_a_refusal_and_after_it_a_server_error()
    {
        // Arrange
        const string error = """{"type":"error","code":"name_taken","message":"that name is in use"}""";

        // Act
        var before = _dialect.Read(error, Session());
        var after = _dialect.Read("""{"type":"error","code":"rate_limited","message":"slow down"}""", Welcomed());

        // Assert
        Assert.Equal(LineKind.Refused, before.Kind);
        Assert.Equal(LineKind.ServerError, after.Kind);
    }

    [Theory]
    [InlineData("""{"type":"ping","id":"p-1"}""", """{"type":"pong","id":"p-1"}""")]
    [InlineData("""{"type":"ping","id":42}""", """{"type":"pong","id":42}""")]
    [InlineData("""{"type":"ping"}""", """{"type":"pong"}""")]
    public void A_server_ping_is_answered_with_a_pong_echoing_its_id_as_sent(string ping, string pong)
    {
        // Act
        var read = _dialect.Read(ping, Welcomed());

        // Assert
        Assert.Equal(LineKind.Ignored, read.Kind);
        Assert.Equal(pong + "\n", read.Reply);
    }

    [Theory]
    [InlineData("""{"type":"joined","room":"general","name":"b7","ts":"2026-11-22T10:15:30.123Z"}""")]
    [InlineData("""{"type":"left","room":"general","name":"b7"}""")]
    [InlineData("")]
    public void Presence_frames_and_empty_lines_are_ignored(string line)
    {
        Assert.Equal(LineKind.Ignored, _dialect.Read(line, Welcomed()).Kind);
    }

    [Fact]
    public void A_non_json_line_is_ignored_before_the_welcome_and_corrupt_after_it()
    {
        // Act
        var before = _dialect.Read("name?", Session());
        var after = _dialect.Read("""{"type":"msg","text":"#1.2.3.abc$""", Welcomed());

        // Assert
        Assert.Equal(LineKind.Ignored, before.Kind);
        Assert.Equal(LineKind.Corrupt, after.Kind);
    }

    [Fact]
    public void The_handshake_is_a_hello_with_the_nick_and_the_room_when_one_is_given()
    {
        // Act
        var plain = Encoding.UTF8.GetString(_dialect.Handshake(Session(3)));
        var inRoom = Encoding.UTF8.GetString(_dialect.Handshake(Session(250, room: "idle2")));

        // Assert
        Assert.Equal("""{"type":"hello","name":"b3"}""" + "\n", plain);
        Assert.Equal("""{"type":"hello","name":"b250","room":"idle2"}""" + "\n", inRoom);
    }

    [Fact]
    public void A_payload_between_the_message_prefix_and_suffix_is_a_valid_say_frame_carrying_it()
    {
        // Arrange
        var payload = PayloadText(0, 99);

        // Act
        var line = Encoding.UTF8.GetString([.. _dialect.MessagePrefix, .. Encoding.ASCII.GetBytes(payload), .. _dialect.MessageSuffix]);

        // Assert
        Assert.EndsWith("\n", line, StringComparison.Ordinal);
        using var frame = JsonDocument.Parse(line);
        Assert.Equal("say", frame.RootElement.GetProperty("type").GetString());
        Assert.Equal(payload, frame.RootElement.GetProperty("text").GetString());
    }
}
