using System.Text;
using Sockchat.Bench;
using static Sockchat.Tests.Bench.DialectHarness;

namespace Sockchat.Tests.Bench;

/// <summary>
/// The raw relay dialects: <c>relay</c> (every line is a message as sent) and <c>ncat</c>
/// (<c>ncat --broker --chat</c> prefixes <c>&lt;userN&gt; </c> and announces connections).
/// </summary>
public sealed class RelayDialectReadTests
{
    private readonly ChatDialect _ncat = ChatDialect.Create("ncat");
    private readonly ChatDialect _relay = ChatDialect.Create("relay");

    [Fact]
    public void An_ncat_chat_line_is_a_message_whose_payload_range_follows_the_user_prefix()
    {
        // Arrange
        var payload = PayloadText(5, 23);

        // Act
        var read = _ncat.Read($"<user5> {payload}", Session());

        // Assert
        Assert.Equal(LineKind.Message, read.Kind);
        Assert.Equal(payload, read.Payload);
        Assert.True(IsPayloadOf(read.Payload, 5, 23));
    }

    [Fact]
    public void An_ncat_line_with_a_second_senders_chunk_inside_is_a_message_that_fails_payload_parsing()
    {
        // Arrange: ncat prefixes each relayed chunk, so a splice carries a second prefix mid-line.
        var a = PayloadText(1, 3);
        var b = PayloadText(2, 3);

        // Act
        var read = _ncat.Read($"<user5> {a[..20]}<user6> {b}", Session());

        // Assert
        Assert.Equal(LineKind.Message, read.Kind);
        Assert.StartsWith(a[..20], read.Payload, StringComparison.Ordinal);
        Assert.False(Payload.TryParse(Encoding.ASCII.GetBytes(read.Payload), 64, out _));
    }

    [Theory]
    [InlineData("<announce> 127.0.0.1 is connected as <user5>.")]
    [InlineData("<announce> already connected nobody.")]
    [InlineData("<announce> <user5> is disconnected.")]
    [InlineData("")]
    [InlineData("<user5> ")]
    public void Ncat_announcements_and_empty_lines_are_ignored(string line)
    {
        Assert.Equal(LineKind.Ignored, _ncat.Read(line, Session()).Kind);
    }

    [Fact]
    public void The_readiness_probe_makes_a_client_ready_with_or_without_the_ncat_prefix()
    {
        Assert.Equal(LineKind.Ready, _ncat.Read("<user0> !probe", Session(3)).Kind);
        Assert.Equal(LineKind.Ready, _relay.Read("!probe", Session(3)).Kind);
    }

    [Fact]
    public void A_raw_relay_line_is_a_message_as_a_whole_and_keeps_any_angle_bracket_prefix()
    {
        // Arrange
        var payload = PayloadText(2, 0);

        // Act
        var plain = _relay.Read(payload, Session());
        var prefixed = _relay.Read($"<user5> {payload}", Session());

        // Assert
        Assert.Equal((LineKind.Message, payload), (plain.Kind, plain.Payload));
        Assert.Equal((LineKind.Message, $"<user5> {payload}"), (prefixed.Kind, prefixed.Payload));
        Assert.Equal(LineKind.Ignored, _relay.Read("", Session()).Kind);
    }

    [Fact]
    public void Relays_need_the_readiness_probe_send_no_handshake_and_end_messages_with_a_newline()
    {
        foreach (var dialect in new[] { _ncat, _relay })
        {
            Assert.True(dialect.NeedsReadyProbe);
            Assert.Empty(dialect.Handshake(Session()));
            Assert.Empty(dialect.MessagePrefix);
            Assert.Equal("\n", Encoding.ASCII.GetString(dialect.MessageSuffix));
        }
        Assert.Equal("ncat", _ncat.Name);
        Assert.Equal("relay", _relay.Name);
    }

    [Theory]
    [InlineData("json", typeof(JsonDialect))]
    [InlineData("text", typeof(TextDialect))]
    [InlineData("relay", typeof(RelayDialect))]
    [InlineData("ncat", typeof(RelayDialect))]
    [InlineData("irc", typeof(IrcDialect))]
    public void Each_dialect_name_creates_its_dialect_under_that_name(string name, Type type)
    {
        // Act
        var dialect = ChatDialect.Create(name);

        // Assert
        Assert.IsType(type, dialect);
        Assert.Equal(name, dialect.Name);
    }

    [Fact]
    public void An_unknown_dialect_name_is_a_usage_error_listing_the_known_ones()
    {
        var error = Assert.Throws<BenchUsageException>(() => ChatDialect.Create("xmpp"));

        Assert.Equal("unknown dialect 'xmpp': use json, websocket, text, relay, ncat or irc", error.Message);
    }
}
