using Microsoft.Playwright;

namespace Sockchat.E2E.Browser.Infrastructure;

/// <summary>
/// One headless Chromium for a test class (<c>IClassFixture&lt;Chromium&gt;</c>): Debian's
/// <c>/usr/bin/chromium</c> driven by Microsoft.Playwright, never a browser Playwright downloads.
/// Each test opens its own contexts on it (<see cref="WebUser"/>), so tests share the browser
/// process but no cookies, storage or pages. Disposing the fixture closes the browser and the
/// Playwright driver, which ends every process they started, whatever the tests left open.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    /// <summary>Debian's package (<c>apt-get install chromium</c>; .ci/run installs it when missing).</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>
    /// Playwright's default for every action and wait, and for <c>Expect</c>: long enough for a
    /// loaded 2-core machine, short enough that a broken page fails in seconds, not minutes.
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private static readonly string[] Arguments =
    [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    static Chromium()
    {
        // The driver must never fetch a browser of its own: the tests use the system's Chromium.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Assertions.SetDefaultExpectTimeout((float)DefaultTimeout.TotalMilliseconds);
    }

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium was not started.");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new FileNotFoundException($"{ExecutablePath} is missing: apt-get install chromium (.ci/run does it).", ExecutablePath);
        }
        _playwright = await Playwright.CreateAsync();
        try
        {
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = Arguments,
                Timeout = (float)TimeSpan.FromSeconds(30).TotalMilliseconds,
            });
        }
        catch
        {
            _playwright.Dispose();
            _playwright = null;
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_browser is not null)
            {
                await _browser.CloseAsync().WaitAsync(TimeSpan.FromSeconds(15));
            }
        }
        finally
        {
            // Disposing the driver ends its node process, which kills a browser that did not close.
            _playwright?.Dispose();
        }
    }
}
