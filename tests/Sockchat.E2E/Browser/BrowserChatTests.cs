using System.Text.RegularExpressions;
using Sockchat.E2E.Browser.Infrastructure;
using Sockchat.E2E.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sockchat.E2E.Browser;

/// <summary>People at the web page of a real <c>sockchat serve</c>, with each other and with terminal users.</summary>
public sealed class BrowserChatTests(Chromium chromium, ITestOutputHelper output) : IClassFixture<InstalledTool>, IClassFixture<Chromium>
{
    [Fact(Timeout = Timeouts.Test)]
    public async Task Two_browser_users_chat_in_general()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await WebUser.JoinAsync(chromium, sandbox, server, "alice");
        var bob = await WebUser.JoinAsync(chromium, sandbox, server, "bob");

        // Act
        await alice.SayAsync("hi bob");
        await Expect(bob.Message("alice", "hi bob")).ToBeVisibleAsync();
        await bob.SayAsync("hello alice");

        // Assert
        await Expect(alice.Message("bob", "hello alice")).ToBeVisibleAsync();
        await Expect(alice.RoomTitle).ToHaveTextAsync("#general");
        await Expect(alice.Notices.Filter(new() { HasTextString = "bob joined" })).ToHaveCountAsync(1);
        await Expect(alice.Member("bob")).ToBeVisibleAsync();
        await Expect(bob.Member("alice")).ToBeVisibleAsync();
        // Your own messages are marked as yours; the other's are not.
        await Expect(alice.Message("alice", "hi bob")).ToHaveClassAsync(new Regex(@"\bmine\b"));
        await Expect(bob.Message("alice", "hi bob")).Not.ToHaveClassAsync(new Regex(@"\bmine\b"));
        Assert.Equal(await alice.SeqsAsync(), await bob.SeqsAsync());
        Assert.Equal(["hi bob", "hello alice"], await bob.TextsAsync());
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_browser_user_a_join_user_and_say_see_each_other()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await WebUser.JoinAsync(chromium, sandbox, server, "alice");
        var carol = await ClientProcess.JoinAsync(sandbox, server.Port, "carol");

        // Act
        await Expect(alice.Member("carol")).ToBeVisibleAsync();
        await alice.SayAsync("hello from the browser");
        await carol.WaitForLineAsync(ChatLines.Message("alice", "hello from the browser"));
        await carol.TypeAsync("hello from the terminal");
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "build 42 passed"]);

        // Assert
        Assert.Equal(0, say.ExitCode);
        await Expect(alice.Message("carol", "hello from the terminal")).ToBeVisibleAsync();
        await Expect(alice.Message("ci", "build 42 passed")).ToBeVisibleAsync();
        await carol.WaitForLineAsync(ChatLines.Message("ci", "build 42 passed"));
        Assert.Equal(["hello from the browser", "hello from the terminal", "build 42 passed"], await alice.TextsAsync());
        // say posts without being present: never a member.
        await Expect(alice.Member("ci")).ToHaveCountAsync(0);
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_direct_message_reaches_only_its_target_as_its_own_conversation()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await WebUser.JoinAsync(chromium, sandbox, server, "alice");
        var bob = await WebUser.JoinAsync(chromium, sandbox, server, "bob");
        var carol = await ClientProcess.JoinAsync(sandbox, server.Port, "carol");

        // Act: alice picks bob in the members list and writes to him.
        await alice.Member("bob").ClickAsync();
        await Expect(alice.RoomTitle).ToHaveTextAsync("@bob");
        await alice.SayAsync("psst, lunch?");
        await alice.Page.Locator("#room-list [data-room=general]").ClickAsync();
        await alice.SayAsync("public follow-up");

        // Assert: bob has a new conversation with alice, counted unread until he opens it.
        var entry = bob.DmEntry("alice");
        await Expect(entry.Locator("[data-testid=unread-badge]")).ToHaveTextAsync("1");
        await Expect(bob.Message("alice", "psst, lunch?")).ToHaveCountAsync(0);
        await entry.ClickAsync();
        await Expect(bob.RoomTitle).ToHaveTextAsync("@alice");
        await Expect(bob.Message("alice", "psst, lunch?")).ToBeVisibleAsync();
        await Expect(entry.Locator("[data-testid=unread-badge]")).ToBeHiddenAsync();
        await bob.SayAsync("yes, 12:30");
        await alice.Page.Locator("#dm-list [data-peer=bob]").ClickAsync();
        await Expect(alice.Message("bob", "yes, 12:30")).ToBeVisibleAsync();

        // carol, in the room, got the public message and none of the private ones.
        await carol.WaitForLineAsync(ChatLines.Message("alice", "public follow-up"));
        Assert.DoesNotContain(carol.Output.Lines, line => line.Contains("lunch", StringComparison.Ordinal) || line.Contains("12:30", StringComparison.Ordinal));

        // A terminal user's /msg opens a conversation in the browser too.
        await carol.TypeAsync("/msg alice from the terminal");
        await Expect(alice.DmEntry("carol").Locator("[data-testid=unread-badge]")).ToHaveTextAsync("1");
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Rooms_count_unread_messages_and_mentions_until_the_user_switches_to_them()
    {
        // Arrange: alice joins #dev with the form (it becomes current), then goes back to #general.
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await WebUser.JoinAsync(chromium, sandbox, server, "alice");
        await alice.Page.Locator("#join-room").FillAsync("#dev");
        await alice.Page.Locator("#join-submit").ClickAsync();
        await Expect(alice.RoomTitle).ToHaveTextAsync("#dev");
        await alice.RoomEntry("general").ClickAsync();
        await Expect(alice.RoomTitle).ToHaveTextAsync("#general");
        var dev = alice.RoomEntry("dev");

        // Act: three messages in #dev while alice reads #general, one of them for her.
        var say = await sandbox.RunAsync(
            ["say", "--name", "bob", "--port", $"{server.Port}", "--room", "dev"],
            ["dev one", "dev two", "alice: dev three is for you"]);

        // Assert
        Assert.Equal(0, say.ExitCode);
        await Expect(dev.Locator("[data-testid=unread-badge]")).ToHaveTextAsync("3");
        await Expect(dev.Locator("[data-testid=mention-badge]")).ToHaveTextAsync("1");
        // Said after the visible name (a hidden text; the browser may put a space before its comma).
        await Expect(dev).ToHaveAccessibleNameAsync(new Regex(@"^#dev ?, 3 unread, 1 mention$"));
        await Expect(alice.RoomEntry("general").Locator("[data-testid=unread-badge]")).ToBeHiddenAsync();
        await Expect(alice.Page).ToHaveTitleAsync("(1!) #general – sockchat");

        // Ctrl+K, type the room, Enter: #dev, counts cleared, the "new messages" line above the first unseen one.
        await alice.Composer.PressAsync("Control+k");
        await Expect(alice.Page.Locator("#switcher")).ToBeVisibleAsync();
        await alice.Page.Locator("#switcher-input").FillAsync("dev");
        await alice.Page.Locator("#switcher-input").PressAsync("Enter");
        await Expect(alice.RoomTitle).ToHaveTextAsync("#dev");
        await Expect(dev).ToHaveAttributeAsync("aria-current", "page");
        await Expect(dev.Locator("[data-testid=unread-badge]")).ToBeHiddenAsync();
        await Expect(dev.Locator("[data-testid=mention-badge]")).ToBeHiddenAsync();
        await Expect(alice.Page.Locator("[data-testid=new-messages-line] + [data-testid=message] .text")).ToHaveTextAsync("dev one");
        await Expect(alice.Message("bob", "alice: dev three is for you")).ToHaveAttributeAsync("data-mention", "true");
        await Expect(alice.Page).ToHaveTitleAsync("#dev – sockchat");

        // A message in #general while alice is in #dev; Alt+Shift+Down goes to the next room with unread messages.
        await sandbox.RunAsync(["say", "--name", "bob", "--port", $"{server.Port}", "back in general"]);
        await Expect(alice.RoomEntry("general").Locator("[data-testid=unread-badge]")).ToHaveTextAsync("1");
        await alice.Composer.PressAsync("Alt+Shift+ArrowDown");
        await Expect(alice.RoomTitle).ToHaveTextAsync("#general");
        await Expect(alice.Message("bob", "back in general")).ToBeVisibleAsync();
        await Expect(alice.RoomEntry("general").Locator("[data-testid=unread-badge]")).ToBeHiddenAsync();
        // Alt+Up: the previous room (the list is #dev, #general).
        await alice.Composer.PressAsync("Alt+ArrowUp");
        await Expect(alice.RoomTitle).ToHaveTextAsync("#dev");
    }
}
