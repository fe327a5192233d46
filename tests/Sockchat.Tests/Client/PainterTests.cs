using Sockchat.Client;
using Sockchat.Protocol;

namespace Sockchat.Tests.Client;

public sealed class PainterTests
{
    private static readonly DateTimeOffset Ts = new(2026, 11, 22, 10, 15, 30, 123, TimeSpan.Zero);

    private static readonly TextRenderer Utc = new(TimeZoneInfo.Utc);

    [Theory]
    [InlineData(false, "[10:15:30] * 3 people joined #general")]
    [InlineData(true, "\u001b[2m[10:15:30] * 3 people joined #general\u001b[0m")]
    public void A_batched_join_is_one_dim_line_counting_the_people(bool color, string expected)
    {
        var painter = new Painter(Utc, color);

        var lines = painter.Paint(new JoinedFrame("general", "a", Ts, ["a", "b", "c"]), showRoom: false, me: "a").ToList();

        Assert.Equal(expected, Assert.Single(lines));
    }

    [Fact]
    public void Without_colour_a_message_is_a_plain_timestamped_line()
    {
        // Arrange
        var painter = new Painter(Utc, color: false);

        // Act
        var lines = painter.Paint(new MsgFrame("general", 1, Ts, "alice", "hi"), showRoom: false, me: "bob");

        // Assert
        Assert.Equal("[10:15:30] alice: hi", Assert.Single(lines));
    }

    [Fact]
    public void Without_colour_a_replayed_message_is_marked_as_history()
    {
        // Arrange
        var painter = new Painter(Utc, color: false);

        // Act
        var lines = painter.Paint(new MsgFrame("general", 1, Ts, "alice", "hi", History: true), showRoom: false, me: null);

        // Assert
        Assert.Equal("[10:15:30] (history) alice: hi", Assert.Single(lines));
    }

    [Fact]
    public void Without_colour_an_action_and_a_room_are_shown()
    {
        // Arrange
        var painter = new Painter(Utc, color: false);

        // Act
        var lines = painter.Paint(new MsgFrame("dev", 1, Ts, "alice", "waves", Action: true), showRoom: true, me: null);

        // Assert
        Assert.Equal("[10:15:30] #dev \u2022 alice waves", Assert.Single(lines));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_action_that_reads_like_a_notice_is_painted_with_the_action_mark_not_a_notice_star(bool color)
    {
        // Arrange
        var painter = new Painter(Utc, color);
        var notice = Assert.Single(painter.Paint(new NickChangedFrame("alice", "admin", Ts), showRoom: false, me: null));

        // Act
        var action = Assert.Single(painter.Paint(new MsgFrame("general", 1, Ts, "alice", "is now known as admin", Action: true), showRoom: false, me: null));

        // Assert
        var visible = System.Text.RegularExpressions.Regex.Replace(action, "\u001b\\[[0-9;]*m", "");
        Assert.Equal("[10:15:30] \u2022 alice is now known as admin", visible);
        Assert.NotEqual(notice, action);
        Assert.Contains("* alice is now known as admin", notice);
    }

    [Fact]
    public void A_history_page_is_framed_and_each_message_marked()
    {
        // Arrange
        var painter = new Painter(Utc, color: false);
        var page = new HistoryReplyFrame("general", [new MsgFrame("general", 1, Ts, "alice", "one", History: true), new MsgFrame("general", 2, Ts, "bob", "two", History: true)]);

        // Act
        var lines = painter.Paint(page, showRoom: false, me: null).ToList();

        // Assert
        Assert.Equal(
            ["* last 2 messages in #general:", "[10:15:30] (history) alice: one", "[10:15:30] (history) bob: two", "* end of history"],
            lines);
    }

    [Fact]
    public void Without_colour_no_escape_sequence_is_written()
    {
        // Arrange
        var painter = new Painter(Utc, color: false);
        ServerFrame[] frames =
        [
            new ErrorFrame(ErrorCodes.NameTaken, "taken"),
            new DmMessageFrame(Ts, "alice", "bob", "psst"),
            new JoinedFrame("general", "alice", Ts),
            new MsgFrame("general", 1, Ts, "bob", "hi"),
        ];

        // Act
        var lines = frames.SelectMany(f => painter.Paint(f, showRoom: false, me: "bob")).ToList();

        // Assert
        Assert.All(lines, l => Assert.DoesNotContain('\u001b', l));
        Assert.Equal(["! name_taken: taken", "[10:15:30] [dm] alice -> bob: psst", "[10:15:30] * alice joined #general", "[10:15:30] bob: hi"], lines);
    }

    [Fact]
    public void With_colour_the_text_is_unchanged_once_escapes_are_removed()
    {
        // Arrange
        var painter = new Painter(Utc, color: true);

        // Act
        var line = Assert.Single(painter.Paint(new MsgFrame("general", 1, Ts, "alice", "hi"), showRoom: false, me: null));

        // Assert
        Assert.Contains('\u001b', line);
        Assert.Equal("[10:15:30] alice: hi", TextSanitizer.Clean(line));
    }
}
