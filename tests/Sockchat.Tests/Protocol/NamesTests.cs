using System.Text;
using Sockchat.Protocol;

namespace Sockchat.Tests.Protocol;

public sealed class NamesTests
{
    private const string JoseComposed = "Jos\u00e9";
    private const string JoseDecomposed = "Jose\u0301";

    [Theory]
    [InlineData("alice")]
    [InlineData("Bob_2")]
    [InlineData("jean.luc")]
    [InlineData("x-ray")]
    [InlineData("ünïcode")]
    [InlineData("Żółć")]
    [InlineData("日本")]
    [InlineData("a")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345")]
    public void Valid_nicknames_are_accepted_as_given(string wanted)
    {
        var ok = Names.TryNormalizeNick(wanted, out var nick, out var problem);

        Assert.True(ok, problem);
        Assert.Equal(wanted, nick);
    }

    [Fact]
    public void A_nickname_is_trimmed_of_surrounding_spaces()
    {
        Assert.True(Names.TryNormalizeNick("  alice ", out var nick, out _));
        Assert.Equal("alice", nick);
    }

    [Fact]
    public void A_decomposed_nickname_is_returned_in_composed_form()
    {
        var ok = Names.TryNormalizeNick(JoseDecomposed, out var nick, out _);

        Assert.True(ok);
        Assert.Equal(JoseComposed, nick);
    }

    [Fact]
    public void A_nickname_of_32_characters_outside_the_BMP_is_accepted()
    {
        // 32 letters that each take two UTF-16 chars: the limit counts characters, not chars.
        var wanted = string.Concat(Enumerable.Repeat("\U0001D400", 32));

        Assert.True(Names.TryNormalizeNick(wanted, out _, out var problem), problem);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("bob smith")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    [InlineData("al\u0007ice")]
    [InlineData("al\u001b[31mice")]
    [InlineData("tab\tname")]
    [InlineData("nul\u0000")]
    [InlineData("*")]
    [InlineData("🎉")]
    [InlineData("party🎉")]
    [InlineData("a/b")]
    [InlineData("#room")]
    [InlineData("at@host")]
    [InlineData("rtl\u202eevil")]
    public void Invalid_nicknames_are_refused_with_a_reason(string? wanted)
    {
        var ok = Names.TryNormalizeNick(wanted, out var nick, out var problem);

        Assert.False(ok);
        Assert.Null(nick);
        Assert.False(string.IsNullOrWhiteSpace(problem));
        Assert.DoesNotContain('\u001b', problem);
    }

    [Theory]
    [InlineData("server")]
    [InlineData("Server")]
    [InlineData("SERVER")]
    [InlineData("ｓｅｒｖｅｒ")]
    public void Reserved_nicknames_are_refused_whatever_their_case_or_width(string wanted)
    {
        var ok = Names.TryNormalizeNick(wanted, out _, out var problem);

        Assert.False(ok);
        Assert.Contains("reserved", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Alice", "ALICE")]
    [InlineData("alice", "Alice")]
    [InlineData(JoseComposed, JoseDecomposed)]
    [InlineData("JOSÉ", "josé")]
    [InlineData("ﬁsh", "fish")]
    public void Nicknames_that_differ_only_in_case_or_normalization_have_the_same_key(string a, string b)
    {
        Assert.Equal(Names.NickKey(a), Names.NickKey(b));
    }

    [Theory]
    [InlineData("alice", "alicia")]
    [InlineData("jose", JoseComposed)]
    [InlineData("bob_2", "bob-2")]
    public void Different_nicknames_have_different_keys(string a, string b)
    {
        Assert.NotEqual(Names.NickKey(a), Names.NickKey(b));
    }

    [Fact]
    public void The_key_of_a_decomposed_name_is_itself_normalized()
    {
        Assert.True(Names.NickKey(JoseDecomposed).IsNormalized(NormalizationForm.FormKC));
    }

    [Theory]
    [InlineData("#General", "general")]
    [InlineData("general", "general")]
    [InlineData("dev-ops_1", "dev-ops_1")]
    [InlineData("#DEV", "dev")]
    [InlineData("  #dev  ", "dev")]
    [InlineData("42", "42")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz012345")]
    [InlineData("#abcdefghijklmnopqrstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz012345")]
    public void Valid_rooms_are_normalized_to_lower_case_without_the_hash(string wanted, string expected)
    {
        var ok = Names.TryNormalizeRoom(wanted, out var room, out var problem);

        Assert.True(ok, problem);
        Assert.Equal(expected, room);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("#")]
    [InlineData("bad room")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    [InlineData("##dev")]
    [InlineData("dev.ops")]
    [InlineData("dév")]
    [InlineData("dev!")]
    [InlineData("dev\u0000")]
    [InlineData("\u001b[31mdev")]
    public void Invalid_rooms_are_refused_with_a_reason(string? wanted)
    {
        var ok = Names.TryNormalizeRoom(wanted, out var room, out var problem);

        Assert.False(ok);
        Assert.Null(room);
        Assert.False(string.IsNullOrWhiteSpace(problem));
        Assert.DoesNotContain('\u001b', problem);
    }
}
