using System.Text;
using Sockchat.Client;
using Sockchat.Protocol;

namespace Sockchat.Tests.Protocol;

/// <summary>The <c>gap</c> frame (incomplete recovery) on the wire, in the text dialect and in <c>join</c>.</summary>
public sealed class GapFrameTests
{
    private static readonly TextRenderer Utc = new(TimeZoneInfo.Utc);

    [Fact]
    public void A_gap_is_one_json_line_naming_the_room_and_the_seqs_that_are_gone()
    {
        // Act
        var line = Encoding.UTF8.GetString(JsonCodec.Encode(new GapFrame("general", 3, 7)));

        // Assert
        Assert.Equal("{\"type\":\"gap\",\"room\":\"general\",\"from\":3,\"to\":7}\n", line);
        Assert.Equal(new GapFrame("general", 3, 7), JsonCodec.ParseServerFrame(line.TrimEnd('\n')));
    }

    [Fact]
    public void The_text_dialect_says_how_many_missed_messages_are_gone()
    {
        // Act
        var line = Assert.Single(Utc.Render(new GapFrame("general", 3, 7), showRoom: false));

        // Assert
        Assert.Equal("* 5 of the messages you missed in #general are no longer kept (seq 3 to 7); the rest follow", line);
    }

    [Fact]
    public void Join_shows_the_gap_as_a_notice_line()
    {
        // Arrange
        var painter = new Painter(Utc, color: false);

        // Act
        var line = Assert.Single(painter.Paint(new GapFrame("dev", 1, 120), showRoom: true, me: "bob"));

        // Assert
        Assert.Equal("* 120 of the messages you missed in #dev are no longer kept (seq 1 to 120); the rest follow", line);
    }
}
