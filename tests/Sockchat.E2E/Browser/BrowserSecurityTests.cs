using Sockchat.E2E.Browser.Infrastructure;
using Sockchat.E2E.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sockchat.E2E.Browser;

/// <summary>The page under attack: hostile message text stays inert text, and the server's password keeps web users out.</summary>
public sealed class BrowserSecurityTests(Chromium chromium, ITestOutputHelper output) : IClassFixture<InstalledTool>, IClassFixture<Chromium>
{
    private const string Password = "s3cret-web";

    private static readonly string LongWord = new('W', 10_000);

    /// <summary>What a hostile user posts, and what the page must show of it: the same text, as text.</summary>
    private static readonly (string Posted, string Shown)[] Hostile =
    [
        ("<img src=x onerror=alert('img')>", "<img src=x onerror=alert('img')>"),
        ("<script>alert('script')</script>", "<script>alert('script')</script>"),
        ("<a href=\"javascript:alert('a')\">click me</a>", "<a href=\"javascript:alert('a')\">click me</a>"),
        ("javascript:alert('bare')", "javascript:alert('bare')"),
        ("<iframe src=\"data:text/html,<script>alert('frame')</script>\"></iframe>", "<iframe src=\"data:text/html,<script>alert('frame')</script>\"></iframe>"),
        ("\u001b[31mred\u001b[0m and \u001b]0;title\u0007plain", "red and plain"),
        ("left \u202Ethgir\u202C and \u2067isolate\u2069", "left thgir and isolate"),
        (LongWord, LongWord),
    ];

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_hostile_message_is_shown_as_inert_text_and_breaks_no_layout()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await WebUser.JoinAsync(chromium, sandbox, server, "alice");
        var link = "see https://example.com/docs?a=1&b=2.";

        // Act: posted by say (the server cleans escapes and bidi controls) and typed in the page.
        var say = await sandbox.RunAsync(["say", "--name", "mallory", "--port", $"{server.Port}"], [.. Hostile.Select(h => h.Posted), link]);
        await alice.TypeAsync("<b onmouseover=alert('typed')>bold?</b>");

        // Assert
        Assert.Equal(0, say.ExitCode);
        await Expect(alice.Messages).ToHaveCountAsync(Hostile.Length + 2);
        string[] shown = [.. Hostile.Select(h => h.Shown), link, "<b onmouseover=alert('typed')>bold?</b>"];
        Assert.Equal(shown, await alice.TextsAsync());

        // No element was made from message text: the only one inside any message text is the
        // http link's anchor (rel=noopener noreferrer); nothing else anywhere in the list.
        var elementsInText = await alice.Messages.Locator(".text").EvaluateAllAsync<int[]>("texts => texts.map(t => t.querySelectorAll('*').length)");
        int[] expectedElements = [.. Enumerable.Repeat(0, Hostile.Length), 1, 0];
        Assert.Equal(expectedElements, elementsInText);
        var anchor = alice.Messages.Locator(".text a");
        await Expect(anchor).ToHaveCountAsync(1);
        await Expect(anchor).ToHaveAttributeAsync("href", "https://example.com/docs?a=1&b=2");
        await Expect(anchor).ToHaveAttributeAsync("rel", "noopener noreferrer");
        await Expect(alice.Page.Locator("#message-list img, #message-list script, #message-list iframe, #message-list b, #message-list [onerror], #message-list [onmouseover], #message-list [href^='javascript']")).ToHaveCountAsync(0);

        // Hovering and clicking the javascript: "link" does nothing: it is text, and nothing ran.
        await alice.Message("mallory", Hostile[2].Shown).Locator(".text").ClickAsync();
        await alice.Message("alice", "<b onmouseover=alert('typed')>bold?</b>").HoverAsync();
        Assert.Empty(alice.Dialogs);
        Assert.Single(alice.Page.Context.Pages);

        // Bidi: no override character reached the DOM, and each text is isolated from its neighbours.
        var bidi = await alice.Messages.Locator(".text").EvaluateAllAsync<string[]>(
            "texts => texts.map(t => `${t.getAttribute('dir')} ${getComputedStyle(t).unicodeBidi}`)");
        Assert.All(bidi, b => Assert.Equal("auto isolate", b));
        Assert.DoesNotContain(await alice.TextsAsync(), t => t.IndexOfAny(['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u001b']) >= 0);

        // The 10,000-character word wraps inside the message column: nothing scrolls sideways.
        var widths = await alice.Page.EvaluateAsync<int[]>(
            """
            () => {
              const scroller = document.getElementById('scroller');
              const long = [...document.querySelectorAll('#message-list [data-testid=message] .text')].find(t => t.textContent.length === 10000);
              return [document.documentElement.scrollWidth, document.documentElement.clientWidth,
                      scroller.scrollWidth, scroller.clientWidth, Math.ceil(long.getBoundingClientRect().right), Math.floor(scroller.getBoundingClientRect().right)];
            }
            """);
        Assert.True(widths[0] <= widths[1], $"the page is {widths[0]} px wide in a {widths[1]} px window");
        Assert.True(widths[2] <= widths[3], $"the message list is {widths[2]} px wide in its {widths[3]} px column");
        Assert.True(widths[4] <= widths[5], $"the long word ends at {widths[4]} px, past the column's edge at {widths[5]} px");
        await Expect(alice.Page.Locator("#send-button")).ToBeInViewportAsync();
        await Expect(alice.Page.Locator("#members")).ToBeInViewportAsync();
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task The_servers_password_is_asked_for_refused_when_wrong_and_accepted_when_right()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox, extraArgs: ["--password", Password]);
        var carol = await ClientProcess.JoinAsync(sandbox, server.Port, "carol", "--password", Password);
        var alice = await WebUser.OpenAsync(chromium, sandbox, server, "alice");
        var error = alice.Page.Locator("#login-error");
        var passwordRow = alice.Page.Locator("#login-password-row");
        await Expect(passwordRow).ToBeHiddenAsync();

        // Act + Assert: no password, then a wrong one, then the right one.
        await alice.LoginAsync("alice");
        await Expect(error).ToHaveTextAsync("This server needs a password.");
        await Expect(passwordRow).ToBeVisibleAsync();
        await Expect(alice.Page.Locator("#login-password")).ToBeFocusedAsync();

        await alice.LoginAsync("alice", "wrong");
        await Expect(error).ToHaveTextAsync("Wrong password; try again.");
        await Expect(alice.Page.Locator("#chat")).ToBeHiddenAsync();

        await alice.LoginAsync("alice", Password);
        await alice.ExpectConnectedAsync();
        await alice.SayAsync("let in");
        await carol.WaitForLineAsync(ChatLines.Message("alice", "let in"));
        // The refused attempts never got in: carol saw alice arrive once, after the right password.
        Assert.Single(carol.Output.Lines, line => ChatLines.Joined("alice").IsMatch(line));
    }
}
