using System.Globalization;
using Microsoft.Playwright;
using Sockchat.E2E.Browser.Infrastructure;
using Sockchat.E2E.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sockchat.E2E.Browser;

/// <summary>What the page shows of a room's history: older pages as the user scrolls up, and exactly what was missed across a server restart.</summary>
public sealed class BrowserHistoryTests(Chromium chromium, ITestOutputHelper output) : IClassFixture<InstalledTool>, IClassFixture<Chromium>
{
    [Fact(Timeout = Timeouts.Test)]
    public async Task Scrolling_up_loads_older_history_until_the_beginning()
    {
        // Arrange: 150 messages, one per line of say's stdin.
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var lines = Enumerable.Range(1, 150).Select(Line).ToArray();
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}"], lines);
        Assert.Equal(0, say.ExitCode);

        // Act: a newcomer gets the last 50; each scroll to the top fetches a page before the oldest shown.
        var alice = await WebUser.JoinAsync(chromium, sandbox, server, "alice");
        await Expect(alice.Messages.First).ToHaveAttributeAsync("data-seq", "101");
        await Expect(alice.Messages.Last).ToHaveAttributeAsync("data-seq", "150");
        foreach (var oldest in new[] { 51, 1 })
        {
            await alice.Page.Locator("#scroller").HoverAsync();
            await alice.Page.Mouse.WheelAsync(0, -100_000);
            await Expect(alice.Messages.First).ToHaveAttributeAsync("data-seq", oldest.ToString(CultureInfo.InvariantCulture));
        }

        // Assert: every message once, in seq order, the reader kept where they were reading.
        await Expect(alice.Page.Locator("#older-status")).ToHaveTextAsync("Beginning of the history");
        await Expect(alice.Page.Locator("#load-older")).ToBeHiddenAsync();
        Assert.Equal(Enumerable.Range(1, 150), await alice.SeqsAsync());
        Assert.Equal(lines, await alice.TextsAsync());
        await Expect(alice.Message("ci", Line(150))).Not.ToBeInViewportAsync();
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task After_a_server_restart_the_page_reconnects_and_shows_exactly_what_was_posted_meanwhile()
    {
        // Arrange: a server with a history file; alice at the page, a few messages seen.
        await using var sandbox = new Sandbox(output);
        var history = Path.Combine(sandbox.Root, "history.db");
        var first = await ServerProcess.StartAsync(sandbox, extraArgs: ["--history-db", history]);
        var port = first.Port;
        var webPort = first.WebUrl!.Port.ToString(CultureInfo.InvariantCulture);
        var alice = await WebUser.JoinAsync(chromium, sandbox, first, "alice");
        await Say(sandbox, port, "before 1", "before 2");
        await alice.SayAsync("before 3, from alice");
        await Expect(alice.Messages).ToHaveCountAsync(3);

        // Act: the server stops; while the page cannot reach it, alice types a line, and the
        // server comes back (same port, same file) without its web port long enough for two
        // messages to be posted; then it restarts with its web port.
        Assert.Equal(0, await first.StopAsync());
        await Expect(alice.Status).ToHaveAttributeAsync("data-state", "reconnecting");
        await alice.TypeAsync("typed while offline");
        await Expect(alice.Pending).ToHaveAttributeAsync("data-state", "waiting");
        var chatOnly = await ServerProcess.StartAsync(sandbox, port, ["--history-db", history, "--no-web"]);
        await Say(sandbox, port, "meanwhile 1", "meanwhile 2");
        Assert.Equal(0, await chatOnly.StopAsync());
        var again = await ServerProcess.StartAsync(sandbox, port, ["--history-db", history, "--web-port", webPort]);

        // Assert: back by itself (backoff tops out at 30 s), the missed messages replayed once,
        // then the line typed offline sent once, then live traffic.
        await alice.ExpectConnectedAsync(TimeSpan.FromSeconds(40));
        await Expect(alice.Pending).ToHaveCountAsync(0);
        await Expect(alice.Message("alice", "typed while offline")).ToHaveCountAsync(1);
        await Say(sandbox, again.Port, "after the restart");
        await Expect(alice.Message("ci", "after the restart")).ToBeVisibleAsync();
        Assert.Equal(Enumerable.Range(1, 7), await alice.SeqsAsync());
        Assert.Equal(
            ["before 1", "before 2", "before 3, from alice", "meanwhile 1", "meanwhile 2", "typed while offline", "after the restart"],
            await alice.TextsAsync());
        await Expect(alice.Page.Locator("[data-testid=gap]")).ToHaveCountAsync(0);
    }

    private static string Line(int i) => $"line {i:000}";

    private static async Task Say(Sandbox sandbox, int port, params string[] lines)
    {
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{port}"], lines);
        Assert.Equal(0, say.ExitCode);
    }
}
