using System.Text;
using Sockchat.Bench;
using static Sockchat.Tests.Bench.DialectHarness;

namespace Sockchat.Tests.Bench;

/// <summary>The generator's reading of sockchat's text dialect: <c>[HH:MM:SS] name: text</c> lines around a welcome.</summary>
public sealed class TextDialectReadTests
{
    private const string WelcomeLine = "* welcome to sockchat, b0. You are in #general. Type /help for commands.";

    private readonly TextDialect _dialect = new();

    private DialectSession Welcomed()
    {
        var session = Session();
        Assert.Equal(LineKind.Ready, _dialect.Read(WelcomeLine, session).Kind);
        return session;
    }

    [Fact]
    public void A_chat_line_is_a_message_whose_payload_range_is_everything_after_the_name()
    {
        // Arrange
        var payload = PayloadText(3, 8);

        // Act
        var read = _dialect.Read($"[10:15:30] b3: {payload}", Welcomed());

        // Assert
        Assert.Equal(LineKind.Message, read.Kind);
        Assert.Equal(payload, read.Payload);
        Assert.True(IsPayloadOf(read.Payload, 3, 8));
    }

    [Fact]
    public void A_chat_line_with_a_room_prefix_still_yields_the_text()
    {
        // Arrange
        var payload = PayloadText(1, 2);

        // Act
        var read = _dialect.Read($"[23:59:59] #general b1: {payload}", Welcomed());

        // Assert
        Assert.Equal(LineKind.Message, read.Kind);
        Assert.Equal(payload, read.Payload);
    }

    [Fact]
    public void The_welcome_line_makes_the_client_ready()
    {
        // Act
        var read = _dialect.Read(WelcomeLine, Session());

        // Assert
        Assert.Equal(LineKind.Ready, read.Kind);
    }

    [Theory]
    [InlineData("[10:15:30] * b4 joined #general")]
    [InlineData("[10:15:30] * b4 left #general (quit)")]
    [InlineData("[10:15:30] * b1 waves")]
    [InlineData("[10:15:30] [dm] b1 -> b0: hello")]
    [InlineData("* in #general (3): b0, b1, b2")]
    [InlineData("")]
    public void Notices_actions_direct_messages_and_empty_lines_are_ignored(string line)
    {
        Assert.Equal(LineKind.Ignored, _dialect.Read(line, Welcomed()).Kind);
    }

    [Fact]
    public void Lines_in_a_replayed_history_block_are_ignored_and_chat_after_its_end_counts_again()
    {
        // Arrange
        var session = Welcomed();

        // Act
        var kinds = new[]
        {
            _dialect.Read("* last 2 messages in #general:", session).Kind,
            _dialect.Read($"[10:15:28] b1: {PayloadText(1, 0)}", session).Kind,
            _dialect.Read($"[10:15:29] b2: {PayloadText(2, 0)}", session).Kind,
            _dialect.Read("* end of history", session).Kind,
            _dialect.Read($"[10:15:30] b1: {PayloadText(1, 1)}", session).Kind,
        };

        // Assert
        Assert.Equal([LineKind.Ignored, LineKind.Ignored, LineKind.Ignored, LineKind.Ignored, LineKind.Message], kinds);
    }

    [Fact]
    public void An_error_line_before_the_welcome_is_a_refusal_and_after_it_a_server_error()
    {
        // Act
        var refused = _dialect.Read("! name_taken: that name is in use", Session());
        var full = _dialect.Read("""{"type":"error","code":"server_full","message":"the server is full"}""", Session());
        var later = _dialect.Read("! rate_limited: slow down", Welcomed());

        // Assert
        Assert.Equal(LineKind.Refused, refused.Kind);
        Assert.Equal(LineKind.Refused, full.Kind);
        Assert.Equal(LineKind.ServerError, later.Kind);
    }

    [Fact]
    public void A_prompt_before_the_welcome_is_ignored_but_a_stray_line_after_it_is_corrupt()
    {
        // Act
        var prompt = _dialect.Read("Your name?", Session());
        var stray = _dialect.Read("3.4.abcdefghij$", Welcomed());

        // Assert
        Assert.Equal(LineKind.Ignored, prompt.Kind);
        Assert.Equal(LineKind.Corrupt, stray.Kind);
    }

    [Theory]
    [InlineData("[10:15:30 b3 no bracket end")]
    [InlineData("[10:15:30] b3 without a separator")]
    public void A_timestamped_line_that_is_not_a_chat_line_is_corrupt(string line)
    {
        Assert.Equal(LineKind.Corrupt, _dialect.Read(line, Welcomed()).Kind);
    }

    [Fact]
    public void The_handshake_is_the_nick_on_a_line_and_a_message_is_the_payload_on_a_line()
    {
        // Act
        var handshake = Encoding.ASCII.GetString(_dialect.Handshake(Session(12)));

        // Assert
        Assert.Equal("b12\n", handshake);
        Assert.Empty(_dialect.MessagePrefix);
        Assert.Equal("\n", Encoding.ASCII.GetString(_dialect.MessageSuffix));
    }
}
