using System.Text;
using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Server;

/// <summary>What clients cannot break: over-long lines, bad UTF-8, terminal escapes, dropped sockets.</summary>
public sealed class RobustnessTests(ITestOutputHelper output)
{
    [Fact(Timeout = 15000)]
    public async Task An_over_long_line_is_answered_too_long_and_the_connection_still_works()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(new ServerOptions { MaxLineBytes = 1024 }, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        var line = new byte[3000 + 1];
        Array.Fill(line, (byte)'x');
        line[^1] = (byte)'\n';

        // Act
        await alice.SendBytesAsync(line);

        // Assert
        var error = await alice.ExpectAsync<ErrorFrame>();
        Assert.Equal(ErrorCodes.TooLong, error.Code);
        await alice.SyncAsync();
        Assert.Equal(1, await alice.SayAndWaitAsync("still here"));
    }

    [Fact(Timeout = 15000)]
    public async Task A_line_of_exactly_the_limit_is_accepted()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(new ServerOptions { MaxLineBytes = 1024 }, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        var prefix = "{\"type\":\"say\",\"text\":\"";
        var suffix = "\"}";
        var text = new string('y', 1024 - prefix.Length - suffix.Length);

        // Act
        await alice.SendBytesAsync(Encoding.UTF8.GetBytes(prefix + text + suffix + "\n"));

        // Assert
        Assert.Equal(text, (await alice.ExpectAsync<MsgFrame>()).Text);
    }

    [Fact(Timeout = 15000)]
    public async Task Invalid_utf8_in_a_message_arrives_at_others_as_replacement_characters()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        byte[] line = [.. "{\"type\":\"say\",\"text\":\"caf"u8, 0xC3, 0x28, (byte)' ', 0xFF, .. "ok\"}\n"u8];

        // Act
        await alice.SendBytesAsync(line);

        // Assert
        var message = await bob.ExpectAsync<MsgFrame>();
        Assert.Equal("caf\uFFFD( \uFFFDok", message.Text);
    }

    [Fact(Timeout = 15000)]
    public async Task Terminal_escape_sequences_are_stripped_before_reaching_others()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");

        // Act
        await alice.SayAsync("\u001b[31mred\u001b[0m alert\u0007\u001b]0;owned\u0007");

        // Assert
        var message = await bob.ExpectAsync<MsgFrame>();
        Assert.Equal("red alert", message.Text);
        // The decoded frame is cleaned again on the client side, so look at the wire bytes too.
        var raw = bob.Lines[^1];
        Assert.DoesNotContain("\\u001b", raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\\u0007", raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\u001b', raw);
    }

    [Theory(Timeout = 15000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_client_that_drops_mid_line_is_announced_left_disconnected(bool reset)
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await alice.ExpectAsync<JoinedFrame>(j => j.Name == "bob");

        // Act
        await bob.SendBytesAsync("{\"type\":\"say\",\"text\":\"half a mess"u8.ToArray());
        if (reset)
        {
            bob.Reset();
        }
        else
        {
            bob.Close();
        }

        // Assert
        var left = await alice.ExpectAsync<LeftFrame>();
        Assert.Equal(("general", "bob", LeaveReasons.Disconnected), (left.Room, left.Name, left.Reason));
        await alice.SyncAsync();
        Assert.DoesNotContain(alice.Received<MsgFrame>(), m => m.From == "bob");
    }

    [Fact(Timeout = 15000)]
    public async Task A_name_is_free_again_once_its_holder_has_left()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using (var bob = await JsonTestClient.JoinAsync(server, "bob"))
        {
            bob.Reset();
        }
        await alice.ExpectAsync<LeftFrame>(l => l.Name == "bob");

        // Act
        await using var bobAgain = await JsonTestClient.JoinAsync(server, "bob");

        // Assert
        Assert.Equal("bob", bobAgain.Welcome?.Name);
    }
}
