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
    [InlineData("日本ひらがなカタカナ")]
    [InlineData("한국漢字")]
    [InlineData("Иван_2")]
    [InlineData("αβγ.42")]
    [InlineData("straße")]
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
    [InlineData("ADMlN")]
    [InlineData("Everyone")]
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
    [InlineData("stra\u00dfe", "STRASSE")]
    [InlineData("\u00df", "ss")]
    [InlineData("alice", "\u0430lice")]
    [InlineData("alice", "AIice")]
    [InlineData("alice", "A1ice")]
    [InlineData("BOB", "B0B")]
    [InlineData("coco", "\u0441\u043e\u0441\u043e")]
    [InlineData("paypal", "\u0440\u0430\u0443\u0440\u0430l")]
    [InlineData("mary", "rnary")]
    [InlineData("server", "\u0455\u0435rv\u0435r")]
    [InlineData("Ива", "ИВА")]
    public void Nicknames_that_differ_only_in_case_or_normalization_have_the_same_key(string a, string b)
    {
        Assert.Equal(Names.NickKey(a), Names.NickKey(b));
    }

    [Theory]
    [InlineData("\u0430lice", "Cyrillic", "Latin")]
    [InlineData("alic\u0435", "Latin", "Cyrillic")]
    [InlineData("\u0455\u0435rv\u0435r", "Cyrillic", "Latin")]
    [InlineData("abcαβγ", "Latin", "Greek")]
    [InlineData("日本abc", "Han", "Latin")]
    [InlineData("한국ひらがな", "Hangul", "Hiragana")]
    public void A_nickname_mixing_scripts_is_refused_naming_them(string wanted, string first, string second)
    {
        var ok = Names.TryNormalizeNick(wanted, out _, out var problem);

        Assert.False(ok);
        Assert.Contains($"mixes {first} and {second}", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\u3164")]
    [InlineData("\u3164\u3164\u3164")]
    [InlineData("al\u3164ice")]
    [InlineData("\u115f")]
    [InlineData("\u1160bob")]
    [InlineData("\uffa0")]
    public void A_nickname_holding_an_invisible_character_is_refused(string wanted)
    {
        var ok = Names.TryNormalizeNick(wanted, out _, out var problem);

        Assert.False(ok);
        Assert.Contains("invisible", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alice", "alicia")]
    [InlineData("jose", JoseComposed)]
    [InlineData("bob_2", "bob-2")]
    [InlineData("rose", "ros\u00e9")]
    [InlineData("anna", "hanna")]
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
