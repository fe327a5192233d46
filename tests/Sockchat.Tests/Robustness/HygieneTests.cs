using System.Text;
using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Robustness;

/// <summary>What reaches other people is safe to print, and names cannot impersonate: escapes stripped, bad UTF-8 replaced, look-alike and reserved names refused.</summary>
public sealed class HygieneTests(ITestOutputHelper output)
{
    /// <summary>Clear screen, a window-title OSC, a bell and a right-to-left override, between words.</summary>
    private const string Hostile = "before\u001b[2J clear\u001b]0;owned title\u0007 title\u0007 bell\u202e rlo";
    private const string Cleaned = "before clear title bell rlo";

    [Theory(Timeout = 15000)]
    [InlineData(Dialect.Json)]
    [InlineData(Dialect.Text)]
    public async Task Escape_sequences_bells_and_bidi_overrides_are_stripped_before_reaching_json_and_text_members(Dialect senderDialect)
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var jsonReader = await JsonTestClient.JoinAsync(server, "jreader");
        await using var textReader = await TextTestClient.JoinAsync(server, "treader");
        await using LineConnection sender = senderDialect == Dialect.Json
            ? await JsonTestClient.JoinAsync(server, "sender")
            : await TextTestClient.JoinAsync(server, "sender");

        // Act
        if (sender is JsonTestClient json)
        {
            await json.SayAsync(Hostile);
        }
        else
        {
            await ((TextTestClient)sender).SendLineAsync(Hostile);
        }

        // Assert
        var message = await jsonReader.ExpectAsync<MsgFrame>();
        Assert.Equal(Cleaned, message.Text);
        AssertNoControls(jsonReader.Lines[^1]);
        Assert.DoesNotContain("\\u001b", jsonReader.Lines[^1], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\\u0007", jsonReader.Lines[^1], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\\u202e", jsonReader.Lines[^1], StringComparison.OrdinalIgnoreCase);
        var line = await textReader.ExpectLineAsync(l => l.Contains("sender:", StringComparison.Ordinal));
        Assert.EndsWith("] sender: " + Cleaned, line);
        AssertNoControls(line);
    }

    [Theory(Timeout = 15000)]
    [InlineData(Dialect.Json)]
    [InlineData(Dialect.Text)]
    public async Task Invalid_utf8_arrives_at_json_and_text_members_as_replacement_characters(Dialect senderDialect)
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var jsonReader = await JsonTestClient.JoinAsync(server, "jreader");
        await using var textReader = await TextTestClient.JoinAsync(server, "treader");
        await using LineConnection sender = senderDialect == Dialect.Json
            ? await JsonTestClient.JoinAsync(server, "sender")
            : await TextTestClient.JoinAsync(server, "sender");
        byte[] text = [.. "caf"u8, 0xC3, 0x28, (byte)' ', 0xFF, (byte)' ', 0xED, 0xA0, 0x80, .. "ok"u8];
        byte[] line = senderDialect == Dialect.Json
            ? [.. "{\"type\":\"say\",\"text\":\""u8, .. text, .. "\"}\n"u8]
            : [.. text, (byte)'\n'];

        // Act
        await sender.SendBytesAsync(line);

        // Assert
        var expected = Encoding.UTF8.GetString(text);
        Assert.Equal("caf\uFFFD( \uFFFD \uFFFD\uFFFD\uFFFDok", expected);
        Assert.Equal(expected, (await jsonReader.ExpectAsync<MsgFrame>()).Text);
        await textReader.ExpectLineAsync(l => l.EndsWith("] sender: " + expected, StringComparison.Ordinal));
    }

    [Theory(Timeout = 15000)]
    [InlineData("Alice", "ALICE")]
    [InlineData("alice", "aLiCe")]
    [InlineData("Jos\u00e9", "Jose\u0301")]
    [InlineData("Jose\u0301", "Jos\u00e9")]
    [InlineData("john", "\uff4a\uff4f\uff48\uff4e")]
    [InlineData("alice", "AIice")]
    [InlineData("BOB", "B0B")]
    [InlineData("coco", "\u0441\u043e\u0441\u043e")]
    [InlineData("strasse", "stra\u00dfe")]
    [InlineData("mary", "rnary")]
    public async Task A_name_equal_to_a_present_one_after_normalization_and_case_folding_is_refused_name_taken(string holder, string impostor)
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var first = await JsonTestClient.JoinAsync(server, holder);
        await using var json = await JsonTestClient.ConnectAsync(server.Port);
        await using var text = await TextTestClient.ConnectAsync(server.Port);

        // Act
        await json.SendAsync(new HelloFrame(impostor, null, null, true, null));
        await text.SendLineAsync(impostor);

        // Assert
        Assert.Equal(ErrorCodes.NameTaken, (await json.ExpectAsync<ErrorFrame>()).Code);
        await json.ExpectClosedAsync();
        Assert.StartsWith("! name_taken:", await text.ExpectLineAsync(l => l.StartsWith('!')));
        await first.SendAsync(new WhoFrame(null));
        Assert.Single((await first.ExpectAsync<WhoReplyFrame>()).Names);
    }

    [Theory(Timeout = 15000)]
    [InlineData("alice", "\u0430lice", "mixes Cyrillic and Latin")]
    [InlineData("server1", "\u0455\u0435rv\u0435r", "mixes Cyrillic and Latin")]
    [InlineData("alice", "\u3164", "invisible")]
    [InlineData("alice", "ali\u3164ce", "invisible")]
    public async Task A_look_alike_of_a_present_name_that_mixes_scripts_or_hides_characters_is_refused_name_invalid(
        string holder, string impostor, string reason)
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var first = await JsonTestClient.JoinAsync(server, holder);
        await using var json = await JsonTestClient.ConnectAsync(server.Port);
        await using var text = await TextTestClient.ConnectAsync(server.Port);

        // Act
        await json.SendAsync(new HelloFrame(impostor, null, null, true, null));
        await text.SendLineAsync(impostor);

        // Assert
        var error = await json.ExpectAsync<ErrorFrame>();
        Assert.Equal(ErrorCodes.NameInvalid, error.Code);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        await json.ExpectClosedAsync();
        Assert.StartsWith("! name_invalid:", await text.ExpectLineAsync(l => l.StartsWith('!')));
        await first.SendAsync(new WhoFrame(null));
        Assert.Equal([holder], (await first.ExpectAsync<WhoReplyFrame>()).Names);
    }

    [Theory(Timeout = 15000)]
    [InlineData("admin")]
    [InlineData("Admin")]
    [InlineData("SERVER")]
    [InlineData("NickServ")]
    [InlineData("chanserv")]
    [InlineData("everyone")]
    [InlineData("\uff53\uff59\uff53\uff54\uff45\uff4d")]
    [InlineData("ADMlN")]
    public async Task A_reserved_name_in_any_case_or_width_is_refused_name_invalid(string name)
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var json = await JsonTestClient.ConnectAsync(server.Port);
        await using var text = await TextTestClient.ConnectAsync(server.Port);

        // Act
        await json.SendAsync(new HelloFrame(name, null, null, true, null));
        await text.SendLineAsync(name);

        // Assert
        var error = await json.ExpectAsync<ErrorFrame>();
        Assert.Equal(ErrorCodes.NameInvalid, error.Code);
        Assert.Contains("reserved", error.Message);
        await json.ExpectClosedAsync();
        Assert.StartsWith("! name_invalid:", await text.ExpectLineAsync(l => l.StartsWith('!')));
        await text.SendLineAsync("fine");
        await text.ExpectLineAsync(l => l.Contains("welcome", StringComparison.Ordinal));
    }

    /// <summary>
    /// Defect (see ParserEdgeCaseTests): U+FFFE is valid UTF-8 (EF BF BE), but Names.TryNormalizeNick
    /// and Names.NickKey throw for it instead of refusing, so a hello, a nickname line, a nick change
    /// or a dm naming it kills the sender's session: no answer, only a closed connection, and the
    /// server logs "connection N failed" at Error.
    /// </summary>
    [Theory(Timeout = 15000)]
    [InlineData("json hello", ErrorCodes.NameInvalid)]
    [InlineData("text nickname", ErrorCodes.NameInvalid)]
    [InlineData("nick", ErrorCodes.NameInvalid)]
    [InlineData("dm", ErrorCodes.NoSuchUser)]
    public async Task A_name_holding_the_noncharacter_U_FFFE_is_refused_and_the_connection_stays(string where, string expectedCode)
    {
        // Arrange
        const string Bad = "bob\uFFFE";
        await using var server = await TestServer.StartAsync(output: output);
        await using var watcher = await JsonTestClient.JoinAsync(server, "watcher");
        await using var json = await JsonTestClient.ConnectAsync(server.Port);
        await using var text = await TextTestClient.ConnectAsync(server.Port);
        if (where is "nick" or "dm")
        {
            await json.HelloAsync("carol");
        }

        // Act
        switch (where)
        {
            case "json hello": await json.SendAsync(new HelloFrame(Bad, null, null, true, null)); break;
            case "text nickname": await text.SendLineAsync(Bad); break;
            case "nick": await json.SendAsync(new NickFrame(Bad)); break;
            default: await json.SendAsync(new DmFrame(Bad, "hi", null)); break;
        }

        // Assert
        var code = where == "text nickname"
            ? (await text.ExpectLineAsync(l => l.StartsWith('!')))[2..].Split(':')[0]
            : (await json.ExpectAsync<ErrorFrame>()).Code;
        Assert.Equal(expectedCode, code);
        if (where is "nick" or "dm")
        {
            await json.SyncAsync();
        }
        await watcher.SyncAsync();
    }

    /// <summary>Defect (see ParserEdgeCaseTests): the sanitizer drops an ESC and the high half of the emoji after it, so valid text arrives as U+FFFD.</summary>
    [Fact(Timeout = 15000)]
    public async Task An_escape_before_an_emoji_is_removed_without_mangling_the_emoji_into_a_replacement_character()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");

        // Act
        await alice.SayAsync("\u001b\U0001F600 smile");

        // Assert
        var message = await bob.ExpectAsync<MsgFrame>();
        Assert.DoesNotContain('\uFFFD', message.Text);
        Assert.EndsWith(" smile", message.Text);
    }

    private static void AssertNoControls(string line) =>
        Assert.True(FuzzInputs.IsClean(line), $"the line holds a control character: {FuzzRun.Show(line)}");
}
