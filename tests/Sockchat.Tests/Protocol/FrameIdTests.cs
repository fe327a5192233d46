using Sockchat.Protocol;

namespace Sockchat.Tests.Protocol;

public sealed class FrameIdTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("with \"quotes\" and \\ backslash")]
    [InlineData("héllo 🎉")]
    public void A_string_id_made_from_text_gives_the_same_text_back(string value)
    {
        var id = FrameId.FromString(value);

        Assert.StartsWith("\"", id.RawJson, StringComparison.Ordinal);
        Assert.Equal(value, id.Text);
        Assert.Equal(value, id.ToString());
    }

    [Theory]
    [InlineData("42", "42")]
    [InlineData("-1.5e3", "-1.5e3")]
    [InlineData("\"x1\"", "x1")]
    [InlineData("\"caf\\u00e9\"", "café")]
    public void The_text_of_an_id_is_a_string_value_or_a_number_digits(string rawJson, string text)
    {
        Assert.Equal(text, new FrameId(rawJson).Text);
    }

    [Fact]
    public void Ids_with_the_same_raw_json_are_equal_and_others_are_not()
    {
        Assert.Equal(new FrameId("42"), new FrameId("42"));
        Assert.NotEqual(new FrameId("42"), FrameId.FromString("42"));
    }
}
