using Sockchat.E2E.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.E2E;

/// <summary>Two <c>serve</c> processes on one history file: the second exits 2 at start, saying the file is in use; the first keeps serving.</summary>
public sealed class HistoryLockTests(ITestOutputHelper output) : IClassFixture<InstalledTool>
{
    [Fact(Timeout = Timeouts.Test)]
    public async Task A_second_server_on_the_same_history_file_exits_2_saying_it_is_in_use_and_the_first_keeps_working()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var file = Path.Combine(sandbox.Root, "history.db");
        var first = await ServerProcess.StartAsync(sandbox, extraArgs: ["--history-db", file]);

        // Act
        var second = await sandbox.RunAsync(["serve", "--port", "0", "--history-db", file]);
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{first.Port}", "still stored"]);

        // Assert
        Assert.Equal(2, second.ExitCode);
        Assert.Contains("in use by another sockchat server", second.Stderr);
        Assert.Contains(file, second.Stderr);
        Assert.DoesNotContain("listening on", second.Stdout);
        Assert.Equal(0, say.ExitCode);
        Assert.Equal(0, await first.StopAsync());
    }
}
