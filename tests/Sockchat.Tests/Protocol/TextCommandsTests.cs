using Sockchat.Protocol;

namespace Sockchat.Tests.Protocol;

public sealed class TextCommandsTests
{
    [Theory]
    [InlineData("hello everyone", "hello everyone")]
    [InlineData("  indented /not a command", "  indented /not a command")]
    [InlineData("//x", "/x")]
    [InlineData("//msg bob is how you dm", "/msg bob is how you dm")]
    public void A_plain_line_or_a_double_slash_is_said_to_the_current_room(string line, string text)
    {
        Assert.Equal(new SayFrame(null, text, null), TextCommands.Parse(line));
    }

    [Theory]
    [InlineData("/quiet", true)]
    [InlineData("/QUIET on", true)]
    [InlineData("/quiet off", false)]
    public void Quiet_turns_presence_notices_off_and_quiet_off_on_again(string line, bool quiet)
    {
        Assert.Equal(new QuietFrame(quiet), TextCommands.Parse(line));
    }

    [Fact]
    public void Quiet_with_anything_else_is_a_usage_error()
    {
        var invalid = Assert.IsType<InvalidFrame>(TextCommands.Parse("/quiet maybe"));

        Assert.Equal(ErrorCodes.BadFrame, invalid.Code);
    }

    [Fact]
    public void Escape_sequences_are_cleaned_from_a_plain_line()
    {
        Assert.Equal(new SayFrame(null, "red", null), TextCommands.Parse("\u001b[31mred\u001b[0m"));
    }

    [Theory]
    [InlineData("/msg bob hi there")]
    [InlineData("/msg   bob   hi there  ")]
    [InlineData("/dm bob hi there")]
    [InlineData("/MSG bob hi there")]
    public void Msg_sends_the_rest_of_the_line_to_the_named_user(string line)
    {
        Assert.Equal(new DmFrame("bob", "hi there", null), TextCommands.Parse(line));
    }

    [Theory]
    [InlineData("/msg bob")]
    [InlineData("/msg bob   ")]
    [InlineData("/msg")]
    public void Msg_without_text_is_a_usage_error(string line)
    {
        var frame = Assert.IsType<InvalidFrame>(TextCommands.Parse(line));

        Assert.Equal(ErrorCodes.BadFrame, frame.Code);
        Assert.Contains("/msg name text", frame.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Me_says_an_action()
    {
        Assert.Equal(new SayFrame(null, "waves", null, Action: true), TextCommands.Parse("/me waves"));
    }

    [Fact]
    public void Me_without_an_action_is_a_usage_error()
    {
        var frame = Assert.IsType<InvalidFrame>(TextCommands.Parse("/me"));

        Assert.Equal(ErrorCodes.BadFrame, frame.Code);
    }

    [Theory]
    [InlineData("/join #dev", "#dev")]
    [InlineData("/join dev", "dev")]
    [InlineData("/j  #dev  extra", "#dev")]
    public void Join_names_the_room(string line, string room)
    {
        Assert.Equal(new JoinFrame(room), TextCommands.Parse(line));
    }

    [Fact]
    public void Join_without_a_room_is_a_usage_error()
    {
        Assert.IsType<InvalidFrame>(TextCommands.Parse("/join"));
    }

    [Theory]
    [InlineData("/part", null)]
    [InlineData("/part #dev", "#dev")]
    [InlineData("/leave dev", "dev")]
    public void Part_leaves_the_named_or_current_room(string line, string? room)
    {
        Assert.Equal(new PartFrame(room), TextCommands.Parse(line));
    }

    [Fact]
    public void Nick_asks_for_a_new_name()
    {
        Assert.Equal(new NickFrame("x"), TextCommands.Parse("/nick x"));
    }

    [Fact]
    public void Nick_without_a_name_is_a_usage_error()
    {
        Assert.IsType<InvalidFrame>(TextCommands.Parse("/nick"));
    }

    [Theory]
    [InlineData("/who", null)]
    [InlineData("/who #dev", "#dev")]
    public void Who_lists_a_room(string line, string? room)
    {
        Assert.Equal(new WhoFrame(room), TextCommands.Parse(line));
    }

    [Fact]
    public void Rooms_lists_the_rooms()
    {
        Assert.IsType<RoomsFrame>(TextCommands.Parse("/rooms"));
    }

    [Fact]
    public void Help_asks_for_help()
    {
        Assert.IsType<HelpFrame>(TextCommands.Parse("/help"));
    }

    [Theory]
    [InlineData("/history 5", 5)]
    [InlineData("/history", null)]
    public void History_asks_for_the_last_messages(string line, int? limit)
    {
        Assert.Equal(new HistoryFrame(null, null, null, limit), TextCommands.Parse(line));
    }

    [Theory]
    [InlineData("/history abc")]
    [InlineData("/history 0")]
    [InlineData("/history -3")]
    public void History_with_a_count_that_is_not_a_positive_number_is_a_usage_error(string line)
    {
        var frame = Assert.IsType<InvalidFrame>(TextCommands.Parse(line));

        Assert.Equal(ErrorCodes.BadFrame, frame.Code);
        Assert.StartsWith("usage: /history", frame.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/quit bye", "bye")]
    [InlineData("/quit gone for lunch", "gone for lunch")]
    [InlineData("/quit", null)]
    public void Quit_leaves_with_an_optional_reason(string line, string? reason)
    {
        Assert.Equal(new QuitFrame(reason), TextCommands.Parse(line));
    }

    [Fact]
    public void An_unknown_command_is_reported_by_name()
    {
        Assert.Equal(new UnknownFrame("frobnicate", null), TextCommands.Parse("/frobnicate now"));
    }
}
