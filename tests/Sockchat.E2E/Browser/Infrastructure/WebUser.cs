using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sockchat.E2E.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Sockchat.E2E.Browser.Infrastructure;

/// <summary>
/// One person at the web page of a running <c>sockchat serve</c>: a fresh browser context
/// (its own localStorage, so no remembered name) with one page, driven only through what a user
/// sees and does, found by the selectors of src/Sockchat/Web/README-web.md. Owned by the
/// <see cref="Sandbox"/> like the processes, so the context is closed (before the server is
/// killed) whatever the test does; its console messages and page errors go to the test output.
/// The page's CSP forbids eval, so every wait is a locator assertion, never a string predicate.
/// </summary>
public sealed class WebUser : IAsyncDisposable
{
    private readonly Sandbox _sandbox;
    private readonly ConcurrentQueue<string> _log = new();
    private int _disposed;

    private WebUser(Sandbox sandbox, string label, IBrowserContext context, IPage page)
    {
        _sandbox = sandbox;
        Label = label;
        Context = context;
        Page = page;
        page.Console += (_, message) => _log.Enqueue($"console.{message.Type}: {message.Text}");
        page.PageError += (_, error) => _log.Enqueue($"page error: {error}");
        page.Dialog += (_, dialog) =>
        {
            // A page that opened alert() has run code it should not have: record and dismiss it.
            _log.Enqueue($"dialog ({dialog.Type}): {dialog.Message}");
            Dialogs.Enqueue(dialog.Message);
            _ = dialog.DismissAsync();
        };
    }

    public string Label { get; }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>The text of every alert/confirm/prompt the page opened (none, on a safe page).</summary>
    public ConcurrentQueue<string> Dialogs { get; } = new();

    /// <summary>Everything the page logged, and its uncaught errors.</summary>
    public IReadOnlyCollection<string> Log => _log;

    /// <summary>Opens the server's page in a new context and waits for the name form.</summary>
    public static async Task<WebUser> OpenAsync(Chromium chromium, Sandbox sandbox, ServerProcess server, string label, ColorScheme colorScheme = ColorScheme.Light)
    {
        var url = server.WebUrl ?? throw new InvalidOperationException("The server was started with --no-web.");
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ColorScheme = colorScheme,
            ViewportSize = new ViewportSize { Width = 1200, Height = 760 },
            Locale = "en-US",
            ReducedMotion = ReducedMotion.Reduce,
        });
        try
        {
            context.SetDefaultTimeout((float)Chromium.DefaultTimeout.TotalMilliseconds);
            context.SetDefaultNavigationTimeout((float)Chromium.DefaultTimeout.TotalMilliseconds);
            var page = await context.NewPageAsync();
            var user = new WebUser(sandbox, label, context, page);
            sandbox.Own(user);
            await page.GotoAsync(url.ToString());
            await Expect(page.Locator("#login-form")).ToBeVisibleAsync();
            return user;
        }
        catch
        {
            await context.CloseAsync();
            throw;
        }
    }

    /// <summary>Opens the page, picks <paramref name="name"/> (and the password) and waits until the page says Connected.</summary>
    public static async Task<WebUser> JoinAsync(Chromium chromium, Sandbox sandbox, ServerProcess server, string name, string? password = null, ColorScheme colorScheme = ColorScheme.Light)
    {
        var user = await OpenAsync(chromium, sandbox, server, name, colorScheme);
        await user.LoginAsync(name, password);
        await user.ExpectConnectedAsync();
        return user;
    }

    /// <summary>Fills the name form (and the password, when given and the page shows its field) and presses Join.</summary>
    public async Task LoginAsync(string name, string? password = null)
    {
        await Page.Locator("#login-name").FillAsync(name);
        if (password is not null)
        {
            await Page.Locator("#login-password").FillAsync(password);
        }
        await Page.Locator("#login-submit").ClickAsync();
    }

    public ILocator Status => Page.Locator("#connection-status");

    public ILocator RoomTitle => Page.Locator("#room-title");

    public ILocator Composer => Page.Locator("#composer");

    /// <summary>Every chat message of the conversation on screen, in order.</summary>
    public ILocator Messages => Page.Locator("#message-list [data-testid=message]");

    public ILocator Notices => Page.Locator("#message-list [data-testid=notice]");

    public ILocator Pending => Page.Locator("#pending-list [data-testid=pending-message]");

    public ILocator RoomEntry(string room) => Page.Locator($"#room-list [data-testid=room-entry][data-room=\"{room}\"]");

    public ILocator DmEntry(string peer) => Page.Locator($"#dm-list [data-testid=dm-entry][data-peer=\"{peer}\"]");

    public ILocator Member(string name) => Page.Locator($"#member-list [data-testid=member][data-name=\"{name}\"]");

    /// <summary>The messages from <paramref name="from"/> whose whole text is <paramref name="text"/>.</summary>
    public ILocator Message(string from, string text) =>
        Page.Locator($"#message-list [data-testid=message][data-from=\"{from}\"]")
            .Filter(new LocatorFilterOptions { Has = Page.Locator(".text", new PageLocatorOptions { HasTextRegex = Exactly(text) }) });

    public Task ExpectConnectedAsync(TimeSpan? timeout = null) =>
        Expect(Status).ToHaveAttributeAsync("data-state", "connected", new LocatorAssertionsToHaveAttributeOptions { Timeout = Milliseconds(timeout) });

    /// <summary>Types <paramref name="text"/> in the message box and presses Enter (a message, or a /command).</summary>
    public async Task TypeAsync(string text)
    {
        await Composer.FillAsync(text);
        await Composer.PressAsync("Enter");
    }

    /// <summary>Types a message and waits until the server's echo of it is on screen (no longer pending).</summary>
    public async Task SayAsync(string text)
    {
        await TypeAsync(text);
        await Expect(Message(Label, text)).ToHaveCountAsync(1);
    }

    /// <summary>The <c>data-seq</c> of every message on screen, in order.</summary>
    public Task<int[]> SeqsAsync() => Messages.EvaluateAllAsync<int[]>("items => items.map(item => Number(item.dataset.seq))");

    /// <summary>The text of every message on screen, in order.</summary>
    public Task<string[]> TextsAsync() => Messages.EvaluateAllAsync<string[]>("items => items.map(item => item.querySelector('.text').textContent)");

    public static Regex Exactly(string text) => new($"^{Regex.Escape(text)}$");

    private static float? Milliseconds(TimeSpan? timeout) => timeout is { } t ? (float)t.TotalMilliseconds : null;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        try
        {
            await Context.CloseAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            _sandbox.WriteOutput($"=== browser {Label}: closing the context failed: {ex.Message}");
        }
        finally
        {
            _sandbox.WriteOutput($"=== browser {Label}{Environment.NewLine}{string.Join(Environment.NewLine, _log)}");
        }
    }
}
