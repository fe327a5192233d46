using Sockchat.Protocol;

namespace Sockchat.Tests.Protocol;

public sealed class TextRendererTests
{
    private static readonly DateTimeOffset Ts = new(2026, 11, 22, 10, 15, 30, 123, TimeSpan.Zero);

    private static readonly TextRenderer Utc = new(TimeZoneInfo.Utc);

    private static string RenderOne(ServerFrame frame, bool showRoom = false) =>
        Assert.Single(Utc.Render(frame, showRoom));

    [Fact]
    public void A_message_shows_time_sender_and_text()
    {
        Assert.Equal("[10:15:30] alice: hello", RenderOne(new MsgFrame("general", 1, Ts, "alice", "hello")));
    }

    [Fact]
    public void A_message_shows_its_room_when_the_reader_is_in_several()
    {
        Assert.Equal("[10:15:30] #dev alice: hi", RenderOne(new MsgFrame("dev", 7, Ts, "alice", "hi"), showRoom: true));
    }

    [Fact]
    public void An_action_shows_with_the_action_mark_and_its_sender()
    {
        Assert.Equal("[10:15:30] \u2022 alice waves", RenderOne(new MsgFrame("general", 2, Ts, "alice", "waves", Action: true)));
    }

    [Theory]
    [InlineData("is now known as admin")]
    [InlineData("left #general (quit)")]
    [InlineData("joined #general")]
    public void An_action_that_reads_like_a_notice_never_renders_like_one(string text)
    {
        // Arrange: the notice it imitates, about the same user at the same time.
        var notices = new[]
        {
            RenderOne(new NickChangedFrame("alice", "admin", Ts)),
            RenderOne(new LeftFrame("general", "alice", Ts, "quit")),
            RenderOne(new JoinedFrame("general", "alice", Ts)),
        };

        // Act
        var action = RenderOne(new MsgFrame("general", 2, Ts, "alice", text, Action: true));

        // Assert
        Assert.DoesNotContain(action, notices);
        Assert.StartsWith("[10:15:30] \u2022 alice ", action);
        Assert.All(notices, n => Assert.StartsWith("[10:15:30] * ", n));
    }

    [Fact]
    public void A_batched_join_shows_how_many_people_joined()
    {
        Assert.Equal("[10:15:30] * 37 people joined #general",
            RenderOne(new JoinedFrame("general", "p0", Ts, [.. Enumerable.Range(0, 37).Select(i => $"p{i}")])));
    }

    [Theory]
    [InlineData("quit", "[10:15:30] * 2 people left #dev (quit)")]
    [InlineData(null, "[10:15:30] * 2 people left #dev")]
    public void A_batched_leave_shows_how_many_people_left(string? reason, string expected)
    {
        Assert.Equal(expected, RenderOne(new LeftFrame("dev", "a", Ts, reason, ["a", "b"])));
    }

    [Fact]
    public void A_join_shows_who_joined_which_room()
    {
        Assert.Equal("[10:15:30] * alice joined #general", RenderOne(new JoinedFrame("general", "alice", Ts)));
    }

    [Theory]
    [InlineData("quit", "[10:15:30] * alice left #general (quit)")]
    [InlineData(null, "[10:15:30] * alice left #general")]
    public void A_leave_shows_the_reason_when_there_is_one(string? reason, string expected)
    {
        Assert.Equal(expected, RenderOne(new LeftFrame("general", "alice", Ts, reason)));
    }

    [Fact]
    public void A_direct_message_shows_sender_and_recipient()
    {
        Assert.Equal("[10:15:30] [dm] alice -> bob: hi", RenderOne(new DmMessageFrame(Ts, "alice", "bob", "hi")));
    }

    [Fact]
    public void A_nick_change_shows_old_and_new_names()
    {
        Assert.Equal("[10:15:30] * alice is now known as al", RenderOne(new NickChangedFrame("alice", "al", Ts)));
    }

    [Fact]
    public void An_error_shows_its_code_and_message()
    {
        Assert.Equal("! name_taken: that name is in use", RenderOne(new ErrorFrame(ErrorCodes.NameTaken, "that name is in use")));
    }

    [Fact]
    public void Times_are_shown_in_the_renderer_zone()
    {
        // Arrange
        var plusTwo = TimeZoneInfo.CreateCustomTimeZone("test+02", TimeSpan.FromHours(2), "test+02", "test+02");
        var renderer = new TextRenderer(plusTwo);

        // Act
        var line = Assert.Single(renderer.Render(new MsgFrame("general", 1, Ts, "alice", "hello"), showRoom: false));

        // Assert
        Assert.Equal("[12:15:30] alice: hello", line);
    }

    [Fact]
    public void A_timestamp_with_an_offset_is_converted_before_it_is_shown()
    {
        var ts = new DateTimeOffset(2026, 11, 22, 5, 15, 30, TimeSpan.FromHours(-5));

        Assert.Equal("[10:15:30]", Utc.Time(ts));
    }

    [Fact]
    public void Acks_are_not_shown()
    {
        Assert.Empty(Utc.Render(new AckFrame(new FrameId("1"), 5), showRoom: false));
    }

    [Fact]
    public void Who_lists_the_names_in_the_room()
    {
        Assert.Equal("* in #dev (2): alice, bob", RenderOne(new WhoReplyFrame("dev", ["alice", "bob"])));
    }

    [Fact]
    public void Rooms_lists_each_room_with_its_member_count()
    {
        Assert.Equal("* rooms: #general (3), #dev (1)",
            RenderOne(new RoomsReplyFrame([new RoomInfo("general", 3), new RoomInfo("dev", 1)])));
    }

    [Fact]
    public void History_is_framed_by_a_header_and_footer()
    {
        var frame = new HistoryReplyFrame("dev", [new MsgFrame("dev", 1, Ts, "alice", "one", History: true), new MsgFrame("dev", 2, Ts, "bob", "two", History: true)]);

        var lines = Utc.Render(frame, showRoom: false);

        Assert.Equal(["* last 2 messages in #dev:", "[10:15:30] alice: one", "[10:15:30] bob: two", "* end of history"], lines);
    }

    [Fact]
    public void Empty_history_says_so()
    {
        Assert.Equal("* no history in #dev", RenderOne(new HistoryReplyFrame("dev", [])));
    }

    [Fact]
    public void Welcome_names_the_server_the_user_and_the_rooms_then_the_motd()
    {
        var frame = new WelcomeFrame("alice", "sockchat", "0.1.0", ["general", "dev"], 16384, "be nice");

        var lines = Utc.Render(frame, showRoom: false);

        Assert.Equal(["* welcome to sockchat, alice. You are in #general, #dev. Type /help for commands.", "* be nice"], lines);
    }

    [Fact]
    public void Shutdown_gives_the_reason()
    {
        Assert.Equal("* server is shutting down: maintenance", RenderOne(new ShutdownFrame("maintenance")));
    }

    private sealed class Brackets : ILineStyle
    {
        public string Line(ServerFrame frame, string text) => $"<{text}>";

        public string Message(MsgFrame message, string time, string room) => $"{time}|{room}|{TextRenderer.Body(message, message.From.ToUpperInvariant())}";
    }

    [Fact]
    public void A_style_dresses_each_line_and_lays_out_each_message_from_its_parts()
    {
        // Arrange
        var frame = new HistoryReplyFrame("dev", [new MsgFrame("dev", 1, Ts, "alice", "one", History: true), new MsgFrame("dev", 2, Ts, "bob", "waves", Action: true, History: true)]);

        // Act
        var lines = Utc.Render(frame, showRoom: true, new Brackets());

        // Assert
        Assert.Equal(["<* last 2 messages in #dev:>", "[10:15:30]|#dev |ALICE: one", "[10:15:30]|#dev |\u2022 BOB waves", "<* end of history>"], lines);
    }
}
