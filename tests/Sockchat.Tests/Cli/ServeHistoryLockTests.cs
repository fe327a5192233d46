using System.CommandLine;
using Microsoft.Extensions.Configuration.Memory;
using Sockchat.Cli;
using Sockchat.Configuration;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Cli;

/// <summary><c>serve</c> on a history file another server holds exits 2 at start with one line saying so.</summary>
public sealed class ServeHistoryLockTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _work = new();
    private readonly StringWriter _out = new();
    private readonly StringWriter _err = new();

    public void Dispose()
    {
        _work.Dispose();
        _out.Dispose();
        _err.Dispose();
    }

    [Fact(Timeout = 15000)]
    public async Task Serve_on_a_history_file_in_use_by_another_server_exits_2_saying_so()
    {
        // Arrange: the other server's store holds the file.
        var path = Path.Combine(_work.Path, "history.db");
        await using var other = SqliteHistoryStore.Open(new HistoryOptions { Path = path });

        // Act
        var code = await SockchatCli.RunAsync(["serve", "--port", "0", "--history-db", path],
            new InvocationConfiguration { Output = _out, Error = _err },
            () => new SettingsLoader(new MemoryConfigurationSource(), _work.Path, _work.Path));
        output.WriteLine($"exit {code}\nstdout:\n{_out}\nstderr:\n{_err}");

        // Assert
        Assert.Equal(ExitCodes.Usage, code);
        var line = Assert.Single(_err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("in use by another sockchat server", line);
        Assert.Contains(path, line);
        Assert.DoesNotContain("listening on", _out.ToString());
    }
}
