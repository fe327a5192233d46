using System.Text.Json;
using System.Text.RegularExpressions;
using Sockchat.E2E.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.E2E;

/// <summary>
/// The room's history as users see it: replayed to a newcomer, paged with <c>/history</c>, kept
/// (and trimmed) across a restart with its seq numbers continuing, and a history file the server
/// cannot use stopping <c>serve</c> at start with one line and exit 2, the file left untouched.
/// </summary>
public sealed class HistoryTests(ITestOutputHelper output) : IClassFixture<InstalledTool>
{
    private static readonly Regex EndOfHistory = new(@"^\* end of history$");

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_newcomer_sees_the_last_messages_marked_as_history_before_live_ones()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        string[] earlier = ["first said", "second said", "third said"];
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}"], input: earlier);
        Assert.Equal(0, say.ExitCode);

        // Act
        var carol = await ClientProcess.JoinAsync(sandbox, server.Port, "carol");
        await carol.WaitForLineAsync(ChatLines.HistoryMessage("ci", "third said"));
        var live = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "said while carol is here"]);

        // Assert
        Assert.Equal(0, live.ExitCode);
        await carol.WaitForLineAsync(ChatLines.Message("ci", "said while carol is here"));
        // Every line from ci, in order: the three replayed (marked, once each), then the live one (unmarked).
        Assert.Collection(
            LinesFrom("ci", carol),
            line => Assert.Matches(ChatLines.HistoryMessage("ci", "first said"), line),
            line => Assert.Matches(ChatLines.HistoryMessage("ci", "second said"), line),
            line => Assert.Matches(ChatLines.HistoryMessage("ci", "third said"), line),
            line => Assert.Matches(ChatLines.Message("ci", "said while carol is here"), line));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task History_5_in_join_shows_exactly_the_last_five_messages_in_order_between_a_header_and_an_end_line()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var texts = Enumerable.Range(1, 8).Select(i => $"m{i}").ToArray();
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}"], input: texts);
        Assert.Equal(0, say.ExitCode);
        var carol = await ClientProcess.JoinAsync(sandbox, server.Port, "carol");
        await carol.WaitForLineAsync(ChatLines.HistoryMessage("ci", "m8"));

        // Act
        await carol.TypeAsync("/history 5");

        // Assert
        var block = await WaitForBlockAsync(carol, new Regex(@"^\* last 5 messages in #general:$"), EndOfHistory);
        Assert.Collection(
            block,
            texts[3..].Select<string, Action<string>>(text => line => Assert.Matches(ChatLines.MessageLiveOrReplayed("ci", text), line)).ToArray());
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_corrupt_history_file_stops_serve_with_one_line_naming_it_and_exit_2_leaving_it_untouched()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var file = Path.Combine(sandbox.Root, "history.db");
        var garbage = new byte[8192];
        new Random(20261122).NextBytes(garbage);
        await File.WriteAllBytesAsync(file, garbage);

        // Act
        var serve = await sandbox.RunAsync(["serve", "--port", "0", "--history-db", file]);

        // Assert
        Assert.Equal(2, serve.ExitCode);
        AssertOneLineNaming(file, serve);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(file));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_history_location_below_a_regular_file_stops_serve_with_one_line_and_exit_2()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var notAFolder = sandbox.WriteFile("file.txt", "a regular file, not a folder\n");
        var file = Path.Combine(notAFolder, "h.db");

        // Act
        var serve = await sandbox.RunAsync(["serve", "--port", "0", "--history-db", file]);

        // Assert
        Assert.Equal(2, serve.ExitCode);
        AssertOneLineNaming(file, serve);
        Assert.Equal("a regular file, not a folder\n", await File.ReadAllTextAsync(notAFolder));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_restarted_server_keeps_only_the_last_history_max_messages_of_a_room()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        string[] history = ["--history-db", Path.Combine(sandbox.Root, "history.db"), "--history-max-messages", "3"];
        var first = await ServerProcess.StartAsync(sandbox, extraArgs: history);
        var texts = Enumerable.Range(1, 6).Select(i => $"r{i}").ToArray();
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{first.Port}"], input: texts);
        Assert.Equal(0, say.ExitCode);
        Assert.Equal(0, await first.StopAsync());

        // Act
        var second = await ServerProcess.StartAsync(sandbox, extraArgs: history);
        var carol = await ClientProcess.JoinAsync(sandbox, second.Port, "carol");

        // Assert
        // The replay is oldest first, so once the newest is shown everything kept has been shown.
        await carol.WaitForLineAsync(ChatLines.HistoryMessage("ci", "r6"));
        Assert.Collection(
            LinesFrom("ci", carol),
            texts[3..].Select<string, Action<string>>(text => line => Assert.Matches(ChatLines.HistoryMessage("ci", text), line)).ToArray());
        // The replay comes from memory; asking for more than were kept reads what is left in the file.
        await carol.TypeAsync("/history 10");
        var block = await WaitForBlockAsync(carol, new Regex(@"^\* last \d+ messages in #general:$"), EndOfHistory);
        Assert.Collection(
            block,
            texts[3..].Select<string, Action<string>>(text => line => Assert.Matches(ChatLines.MessageLiveOrReplayed("ci", text), line)).ToArray());
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task The_seq_in_a_json_clients_ack_continues_across_a_server_restart()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        string[] history = ["--history-db", Path.Combine(sandbox.Root, "history.db")];
        var first = await ServerProcess.StartAsync(sandbox, extraArgs: history);
        var before = await HelloAsync(sandbox, first.Port, "bot");
        long lastSeqBefore = 0;
        foreach (var id in new[] { "b1", "b2", "b3" })
        {
            lastSeqBefore = await SayAndGetAckedSeqAsync(before, id, $"before the restart {id}");
        }
        Assert.Equal(0, await first.StopAsync());
        await before.WaitForFrameAsync("shutdown");

        // Act
        var second = await ServerProcess.StartAsync(sandbox, extraArgs: history);
        var after = await HelloAsync(sandbox, second.Port, "bot");
        var seqAfter = await SayAndGetAckedSeqAsync(after, "a1", "after the restart");

        // Assert
        Assert.Equal(lastSeqBefore + 1, seqAfter);
        var msg = await after.WaitForFrameAsync("msg", m => m.GetProperty("text").GetString() == "after the restart");
        Assert.Equal(seqAfter, msg.GetProperty("seq").GetInt64());
    }

    /// <summary>A JSON client that has said hello (joining #general) and been welcomed.</summary>
    private static async Task<RawClient> HelloAsync(Sandbox sandbox, int port, string name)
    {
        var client = await RawClient.ConnectAsync(sandbox, port, name);
        await client.SendLineAsync(JsonSerializer.Serialize(new { type = "hello", name }));
        await client.WaitForFrameAsync("welcome");
        return client;
    }

    /// <summary>Sends a <c>say</c> with <paramref name="id"/> and returns the seq of its ack.</summary>
    private static async Task<long> SayAndGetAckedSeqAsync(RawClient client, string id, string text)
    {
        await client.SendLineAsync(JsonSerializer.Serialize(new { type = "say", text, id }));
        var ack = await client.WaitForFrameAsync(
            "ack",
            frame => frame.TryGetProperty("id", out var ackId) && ackId.ValueKind == JsonValueKind.String && ackId.GetString() == id);
        return ack.GetProperty("seq").GetInt64();
    }

    /// <summary>serve stopped at start: one line on stderr naming the file, and it never said it listened.</summary>
    private static void AssertOneLineNaming(string file, ToolResult serve)
    {
        var error = Assert.Single(serve.StderrLines);
        Assert.StartsWith("sockchat: ", error, StringComparison.Ordinal);
        Assert.Contains("history file", error, StringComparison.Ordinal);
        Assert.Contains(file, error, StringComparison.Ordinal);
        Assert.DoesNotContain(serve.StdoutLines, line => line.StartsWith("listening on", StringComparison.Ordinal));
    }

    /// <summary>Waits for a <paramref name="header"/> line and the first <paramref name="end"/> line after it; returns the lines between.</summary>
    private static async Task<IReadOnlyList<string>> WaitForBlockAsync(ClientProcess client, Regex header, Regex end)
    {
        await client.WaitForLineAsync(header);
        // The log offers each line once, in order: an end line counts only once the header has gone by.
        var headerSeen = false;
        await client.Output.WaitForAsync(
            line => (headerSeen |= header.IsMatch(line)) && end.IsMatch(line),
            $"matching /{end}/ after one matching /{header}/");
        var lines = client.Output.Lines.ToList();
        var first = lines.FindIndex(header.IsMatch) + 1;
        var last = lines.FindIndex(first, end.IsMatch);
        return lines[first..last];
    }

    /// <summary>The chat lines (live or replayed) from <paramref name="sender"/> that <paramref name="client"/> has shown, in order.</summary>
    private static IReadOnlyList<string> LinesFrom(string sender, ClientProcess client) =>
        client.Output.Lines.Where(line => line.Contains($" {sender}: ", StringComparison.Ordinal)).ToArray();
}
