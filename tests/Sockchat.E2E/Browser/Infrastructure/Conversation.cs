using Microsoft.Playwright;
using Sockchat.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Sockchat.E2E.Browser.Infrastructure;

/// <summary>
/// A small realistic conversation as alice sees it at the page: bob and dana on <c>join</c>, a
/// CI bot on <c>say</c>; history from before she came, a link, a <c>/me</c> action, a mention of
/// her, two unread messages in #dev and a direct message from bob. Every step waits until alice
/// sees it, so the order on screen is always the same.
/// </summary>
public static class Conversation
{
    public const string Viewer = "alice";

    /// <summary>Builds the conversation on <paramref name="server"/>; <paramref name="atLoginScreen"/> runs while alice's page still shows the name form.</summary>
    public static async Task<WebUser> BuildAsync(Chromium chromium, Sandbox sandbox, ServerProcess server, ColorScheme colorScheme, Func<WebUser, Task>? atLoginScreen = null)
    {
        var bob = await ClientProcess.JoinAsync(sandbox, server.Port, "bob");
        var dana = await ClientProcess.JoinAsync(sandbox, server.Port, "dana");
        await dana.TypeAsync("morning all");
        await bob.WaitForLineAsync(ChatLines.Message("dana", "morning all"));
        await bob.TypeAsync("morning! the 0.4 release branch is cut");
        await dana.WaitForLineAsync(ChatLines.Message("bob", "morning! the 0.4 release branch is cut"));

        var alice = await WebUser.OpenAsync(chromium, sandbox, server, Viewer, colorScheme);
        if (atLoginScreen is not null)
        {
            await atLoginScreen(alice);
        }
        await alice.LoginAsync(Viewer);
        await alice.ExpectConnectedAsync();
        await Expect(alice.Messages).ToHaveCountAsync(2);
        await alice.Page.Locator("#join-room").FillAsync("#dev");
        await alice.Page.Locator("#join-submit").ClickAsync();
        await Expect(alice.RoomTitle).ToHaveTextAsync("#dev");
        await alice.RoomEntry("general").ClickAsync();
        await Expect(alice.RoomTitle).ToHaveTextAsync("#general");

        await SayAsync(sandbox, server, "general", "build 1234 passed: https://ci.example.com/sockchat/builds/1234");
        await Expect(alice.Message("ci", "build 1234 passed: https://ci.example.com/sockchat/builds/1234")).ToBeVisibleAsync();
        await alice.SayAsync("nice, I'll write the release notes");
        await dana.TypeAsync("/me brings cake for the release");
        await Expect(alice.Messages.Last).ToContainTextAsync("brings cake for the release");
        await bob.TypeAsync("alice: can you check the changelog before 3?");
        await Expect(alice.Message("bob", "alice: can you check the changelog before 3?")).ToBeVisibleAsync();
        await bob.TypeAsync("the TLS section changed");
        await Expect(alice.Message("bob", "the TLS section changed")).ToBeVisibleAsync();
        await alice.SayAsync("on it, after lunch");
        await SayAsync(sandbox, server, "dev", "nightly benchmark: 412k msg/s (+3%)", "flaky test quarantined: ShutdownTests.Slow_reader");
        await Expect(alice.RoomEntry("dev").Locator("[data-testid=unread-badge]")).ToHaveTextAsync("2");
        await bob.TypeAsync("/msg alice got a minute after lunch?");
        await Expect(alice.DmEntry("bob").Locator("[data-testid=unread-badge]")).ToHaveTextAsync("1");
        await Expect(alice.Member("dana")).ToBeVisibleAsync();
        await Expect(alice.Member("bob")).ToBeVisibleAsync();
        return alice;
    }

    private static async Task SayAsync(Sandbox sandbox, ServerProcess server, string room, params string[] lines)
    {
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "--room", room], lines);
        if (say.ExitCode != 0)
        {
            throw new InvalidOperationException($"say exited {say.ExitCode}: {say}");
        }
    }
}
