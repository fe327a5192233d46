using System.Text;
using Sockchat.Bench;
using static Sockchat.Tests.Bench.DialectHarness;

namespace Sockchat.Tests.Bench;

/// <summary>The generator's IRC (RFC 2812, as ngIRCd speaks it): registration, JOIN, PRIVMSG, PING.</summary>
public sealed class IrcDialectReadTests
{
    private readonly IrcDialect _dialect = new(oper: null);

    /// <summary>A session that got 001 and the echo of its own JOIN.</summary>
    private DialectSession Joined(int clientIndex = 0)
    {
        var session = Session(clientIndex);
        _dialect.Read($":irc.local 001 b{clientIndex} :Welcome to the Internet Relay Network", session);
        Assert.Equal(LineKind.Ready, _dialect.Read($":b{clientIndex}!~b{clientIndex}@localhost JOIN :#bench", session).Kind);
        return session;
    }

    [Fact]
    public void A_privmsg_to_the_channel_is_a_message_whose_payload_range_is_the_trailing_parameter()
    {
        // Arrange
        var payload = PayloadText(3, 11);

        // Act
        var read = _dialect.Read($":b3!u@h PRIVMSG #bench :{payload}", Joined());

        // Assert
        Assert.Equal(LineKind.Message, read.Kind);
        Assert.Equal(payload, read.Payload);
        Assert.True(IsPayloadOf(read.Payload, 3, 11));
        Assert.Null(read.Reply);
    }

    [Fact]
    public void A_privmsg_without_a_trailing_parameter_is_corrupt()
    {
        Assert.Equal(LineKind.Corrupt, _dialect.Read(":b3!u@h PRIVMSG #bench", Joined()).Kind);
    }

    [Theory]
    [InlineData("PING :irc.local", "PONG :irc.local\r\n")]
    [InlineData("PING irc.local", "PONG irc.local\r\n")]
    [InlineData(":irc.local PING :token-123", "PONG :token-123\r\n")]
    public void A_ping_is_ignored_as_a_line_and_answered_with_a_pong_carrying_its_parameters(string ping, string pong)
    {
        // Act
        var read = _dialect.Read(ping, Joined());

        // Assert
        Assert.Equal(LineKind.Ignored, read.Kind);
        Assert.Equal(pong, read.Reply);
    }

    [Fact]
    public void A_ping_during_registration_is_answered_too()
    {
        Assert.Equal("PONG :12345\r\n", _dialect.Read("PING :12345", Session()).Reply);
    }

    [Fact]
    public void The_handshake_is_nick_and_user_and_001_is_answered_with_a_join_of_the_channel()
    {
        // Arrange
        var session = Session(7);

        // Act
        var handshake = Encoding.ASCII.GetString(_dialect.Handshake(session));
        var welcome = _dialect.Read(":irc.local 001 b7 :Welcome", session);
        var again = _dialect.Read(":irc.local 001 b7 :Welcome", session);

        // Assert
        Assert.Equal("NICK b7\r\nUSER b7 0 * :bench\r\n", handshake);
        Assert.Equal(LineKind.Ignored, welcome.Kind);
        Assert.Equal("JOIN #bench\r\n", welcome.Reply);
        Assert.Null(again.Reply);
    }

    [Fact]
    public void A_sender_with_an_operator_login_opers_up_and_sets_mode_F_before_joining_while_a_reader_only_joins()
    {
        // Arrange
        var dialect = new IrcDialect("bench:secret");

        // Act
        var sender = dialect.Read(":irc.local 001 b0 :Welcome", Session(0, isSender: true));
        var reader = dialect.Read(":irc.local 001 b5 :Welcome", Session(5, isSender: false));

        // Assert
        Assert.Equal("OPER bench secret\r\nMODE b0 +F\r\nJOIN #bench\r\n", sender.Reply);
        Assert.Equal("JOIN #bench\r\n", reader.Reply);
    }

    [Fact]
    public void A_session_with_a_room_joins_that_channel()
    {
        Assert.Equal("JOIN #idle3\r\n", _dialect.Read(":irc.local 001 b300 :Welcome", Session(300, room: "idle3")).Reply);
    }

    [Fact]
    public void A_session_with_a_room_posts_into_that_channel_and_one_without_into_bench()
    {
        Assert.Equal("PRIVMSG #idle3 :", Encoding.ASCII.GetString(_dialect.MessagePrefixFor(Session(3, isSender: true, room: "idle3"))));
        Assert.Equal("PRIVMSG #bench :", Encoding.ASCII.GetString(_dialect.MessagePrefixFor(Session(0, isSender: true))));
        Assert.True(_dialect.CanJoinRooms);
    }

    [Fact]
    public void Only_the_echo_of_its_own_join_after_001_makes_a_client_ready()
    {
        // Arrange
        var session = Session(1);

        // Act
        var beforeWelcome = _dialect.Read(":b1!~b1@localhost JOIN :#bench", session).Kind;
        _dialect.Read(":irc.local 001 b1 :Welcome", session);
        var someoneElse = _dialect.Read(":b2!~b2@localhost JOIN :#bench", session).Kind;
        var longerNick = _dialect.Read(":b10!~b10@localhost JOIN :#bench", session).Kind;
        var own = _dialect.Read(":b1!~b1@localhost JOIN :#bench", session).Kind;

        // Assert
        Assert.Equal(LineKind.Ignored, beforeWelcome);
        Assert.Equal(LineKind.Ignored, someoneElse);
        Assert.Equal(LineKind.Ignored, longerNick);
        Assert.Equal(LineKind.Ready, own);
    }

    [Theory]
    [InlineData(":irc.local 433 * b0 :Nickname already in use")]
    [InlineData(":irc.local 471 b0 #bench :Cannot join channel (+l)")]
    [InlineData("ERROR :Closing connection")]
    public void A_refusal_numeric_or_error_during_registration_is_a_refusal(string line)
    {
        Assert.Equal(LineKind.Refused, _dialect.Read(line, Session()).Kind);
    }

    [Fact]
    public void An_error_after_joining_is_a_server_error_and_numerics_are_ignored()
    {
        // Arrange
        var session = Joined();

        // Act and assert
        Assert.Equal(LineKind.ServerError, _dialect.Read("ERROR :Closing connection: b0[localhost] (Excess Flood)", session).Kind);
        Assert.Equal(LineKind.Ignored, _dialect.Read(":irc.local 353 b0 = #bench :b0 b1 b2", session).Kind);
        Assert.Equal(LineKind.Ignored, _dialect.Read(":irc.local 433 * b0 :Nickname already in use", session).Kind);
    }

    [Fact]
    public void A_message_is_the_payload_after_privmsg_to_the_channel_ended_by_crlf()
    {
        Assert.Equal("PRIVMSG #bench :", Encoding.ASCII.GetString(_dialect.MessagePrefix));
        Assert.Equal("\r\n", Encoding.ASCII.GetString(_dialect.MessageSuffix));
    }
}
