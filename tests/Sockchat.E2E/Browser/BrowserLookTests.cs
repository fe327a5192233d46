using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Sockchat.E2E.Browser.Infrastructure;
using Sockchat.E2E.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Sockchat.E2E.Browser;

/// <summary>
/// How the page looks to people and to assistive technology, light and dark: axe-core finds no
/// serious or critical violation on its main screens, and the README's screenshots are taken
/// from the real page on every run (docs/screenshots/web-light.png, web-dark.png).
/// </summary>
public sealed class BrowserLookTests(Chromium chromium, ITestOutputHelper output) : IClassFixture<InstalledTool>, IClassFixture<Chromium>
{
    private static readonly string[] Blocking = ["serious", "critical"];

    [Theory(Timeout = Timeouts.Test)]
    [InlineData(ColorScheme.Light)]
    [InlineData(ColorScheme.Dark)]
    public async Task The_login_chat_and_switcher_screens_have_no_serious_accessibility_violation(ColorScheme scheme)
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var failures = new List<string>();

        // Act: the login screen, the chat with a conversation in it, the Ctrl+K switcher.
        var alice = await Conversation.BuildAsync(chromium, sandbox, server, scheme,
            atLoginScreen: async page => failures.AddRange(await CheckAsync(page.Page, "login screen")));
        failures.AddRange(await CheckAsync(alice.Page, "chat screen"));
        await alice.Composer.PressAsync("Control+k");
        await Expect(alice.Page.Locator("#switcher-list [data-testid=switcher-option]").First).ToBeVisibleAsync();
        failures.AddRange(await CheckAsync(alice.Page, "room switcher"));

        // Assert
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Theory(Timeout = Timeouts.Test)]
    [InlineData(ColorScheme.Light, "web-light.png")]
    [InlineData(ColorScheme.Dark, "web-dark.png")]
    public async Task The_readme_screenshot_is_taken_from_the_real_page(ColorScheme scheme, string file)
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await Conversation.BuildAsync(chromium, sandbox, server, scheme);
        var path = Path.Combine(InstalledTool.RepositoryRoot(), "docs", "screenshots", file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        // Act: the pointer out of the way (a hover shows times and highlights), then the window.
        await alice.Page.Mouse.MoveAsync(600, 18);
        var png = await alice.Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, Animations = ScreenshotAnimations.Disabled });

        // Assert
        Assert.True(png.Length > 10_000, $"{path} is only {png.Length} bytes");
        output.WriteLine($"wrote {path} ({png.Length} bytes)");
    }

    /// <summary>Runs axe-core on the page as it is; every violation goes to the output, the serious and critical ones come back.</summary>
    private async Task<IEnumerable<string>> CheckAsync(IPage page, string screen)
    {
        var result = await page.RunAxe();
        var found = new List<string>();
        foreach (var violation in result.Violations)
        {
            var nodes = string.Join("; ", violation.Nodes.Select(n => $"{n.Target} {n.Html}".ReplaceLineEndings(" ")));
            var line = $"{screen}: {violation.Impact} {violation.Id} ({violation.Help}): {nodes}";
            output.WriteLine(line);
            if (Blocking.Contains(violation.Impact))
            {
                found.Add(line);
            }
        }
        output.WriteLine($"{screen}: axe {result.TestEngine?.Version}, {result.Passes.Length} rules passed, {result.Violations.Length} violated, {result.Incomplete.Length} incomplete");
        return found;
    }
}
