using System.Text.Json;
using System.Text.RegularExpressions;
using Sockchat.E2E.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.E2E;

/// <summary>Clients that are not sockchat: a line-based TCP client (as nc) and a JSON bot, each on a bare socket.</summary>
public sealed class RawSocketTests(ITestOutputHelper output) : IClassFixture<InstalledTool>
{
    [Fact(Timeout = Timeouts.Test)]
    public async Task A_plain_text_client_and_a_join_client_chat_both_ways()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var nc = await RawClient.ConnectAsync(sandbox, server.Port, "nc-user");
        await nc.SendLineAsync("nc-user");
        await nc.WaitForLineAsync(ChatLines.Welcome("nc-user"));
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");
        await nc.WaitForLineAsync(ChatLines.Joined("alice"));

        // Act
        await nc.SendLineAsync("hello from nc");
        await alice.WaitForLineAsync(ChatLines.Message("nc-user", "hello from nc"));
        await alice.TypeAsync("hi nc");

        // Assert
        await nc.WaitForLineAsync(ChatLines.Message("alice", "hi nc"));
        // The text dialect gets human-readable lines only, never JSON.
        Assert.DoesNotContain(nc.Received.Lines, line => line.StartsWith('{'));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_json_client_is_welcomed_gets_its_message_and_ack_and_survives_an_unknown_type()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var bot = await RawClient.ConnectAsync(sandbox, server.Port, "bot");

        // Act / Assert: hello -> welcome
        await bot.SendLineAsync("""{"type":"hello","name":"bot"}""");
        var welcome = await bot.WaitForFrameAsync("welcome");
        Assert.Equal("bot", welcome.GetProperty("name").GetString());

        // say with an id -> the msg (the sender is a member too) and an ack carrying its seq
        await bot.SendLineAsync("""{"type":"say","text":"x","id":"1"}""");
        var msg = await bot.WaitForFrameAsync("msg", m => m.GetProperty("text").GetString() == "x");
        Assert.Equal("bot", msg.GetProperty("from").GetString());
        Assert.Equal("general", msg.GetProperty("room").GetString());
        Assert.Matches(new Regex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"), msg.GetProperty("ts").GetString());
        var ack = await bot.WaitForFrameAsync("ack");
        Assert.Equal(JsonValueKind.String, ack.GetProperty("id").ValueKind);
        Assert.Equal("1", ack.GetProperty("id").GetString());
        Assert.Equal(msg.GetProperty("seq").GetInt64(), ack.GetProperty("seq").GetInt64());

        // an unknown type -> unknown_command echoing the id as sent (a number), and no disconnect
        await bot.SendLineAsync("""{"type":"bogus","id":7}""");
        var error = await bot.WaitForFrameAsync("error");
        Assert.Equal("unknown_command", error.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Number, error.GetProperty("id").ValueKind);
        Assert.Equal(7, error.GetProperty("id").GetInt32());

        await bot.SendLineAsync("""{"type":"ping","id":"still-there"}""");
        var pong = await bot.WaitForFrameAsync("pong");
        Assert.Equal("still-there", pong.GetProperty("id").GetString());
        Assert.False(bot.Received.Ended);
    }
}
