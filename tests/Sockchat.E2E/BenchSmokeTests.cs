using System.Globalization;
using System.Text.Json;
using CliWrap;
using CliWrap.Buffered;
using Sockchat.E2E.Infrastructure;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Sockchat.E2E;

/// <summary>
/// The load generator (bench/Sockchat.Bench) against a real <c>sockchat serve</c>, with tiny
/// numbers: a smoke test that the instrument and the server agree on every delivery, so that a
/// benchmark's loss figures mean something. It checks zero loss, not speed.
/// </summary>
public sealed class BenchSmokeTests(ITestOutputHelper output) : IClassFixture<InstalledTool>
{
    private const int Clients = 5;
    private const int Senders = 2;
    private const int Messages = 50;

    /// <summary>The generator's own hard stop; it reports and exits within it (plus closing time).</summary>
    private const int TimeLimitSeconds = 20;

    /// <summary>Past this the generator is killed: its time limit, its 15 s watchdog beyond that, and a margin.</summary>
    private static readonly TimeSpan KillAfter = TimeSpan.FromSeconds(TimeLimitSeconds + 20);

    [Theory(Timeout = Timeouts.Test)]
    [InlineData("json")]
    [InlineData("text")]
    public async Task The_generator_against_a_real_server_reports_every_message_delivered_once_intact_and_exits_0(string dialect)
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox, extraArgs: ["--rate", "0", "--max-per-address", "0", "--history-db", ":memory:"]);

        // Act
        var (exitCode, stdout) = await RunBenchAsync(sandbox,
        [
            "--port", server.Port.ToString(CultureInfo.InvariantCulture), "--dialect", dialect,
            "--clients", $"{Clients}", "--senders", $"{Senders}", "--messages", $"{Messages}",
            "--time-limit", $"{TimeLimitSeconds}", "--no-progress", "--label", "smoke",
        ]);

        // Assert
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        using var json = JsonDocument.Parse(line);
        var report = json.RootElement;
        const long expected = (long)Senders * Messages * (Clients - 1);
        Assert.Equal(0, exitCode);
        Assert.Equal("complete", report.GetProperty("status").GetString());
        Assert.Equal(dialect, report.GetProperty("dialect").GetString());
        Assert.Equal(Clients, report.GetProperty("clients").GetInt32());
        Assert.Equal(Clients, report.GetProperty("ready").GetInt32());
        Assert.Equal(0, report.GetProperty("disconnected").GetInt32());
        Assert.Equal((long)Senders * Messages, report.GetProperty("sent").GetInt64());
        Assert.Equal(expected, report.GetProperty("expected").GetInt64());
        Assert.Equal(expected, report.GetProperty("received").GetInt64());
        Assert.Equal(0, report.GetProperty("lost").GetInt64());
        Assert.Equal(0, report.GetProperty("spliced").GetInt64());
        Assert.Equal(0, report.GetProperty("duplicated").GetInt64());
        Assert.Equal(0, report.GetProperty("server_errors").GetInt64());
    }

    /// <summary>
    /// Runs <c>dotnet sockchat-bench.dll args…</c> to completion (killed past <see cref="KillAfter"/>, and when
    /// the test gives up on it), writes its output to the test output, and returns its exit code and stdout.
    /// </summary>
    private static async Task<(int ExitCode, string Stdout)> RunBenchAsync(Sandbox sandbox, IReadOnlyList<string> args)
    {
        using var deadline = new CancellationTokenSource(KillAfter);
        try
        {
            var result = await Cli.Wrap(ToolPath.DotnetHost)
                .WithArguments([BenchPath.Dll, .. args])
                .WithWorkingDirectory(sandbox.WorkingDirectory)
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(deadline.Token);
            sandbox.WriteOutput($"--- sockchat-bench {string.Join(' ', args)} exited {result.ExitCode}{Environment.NewLine}"
                + $"stdout:{Environment.NewLine}{result.StandardOutput}stderr:{Environment.NewLine}{result.StandardError}");
            return (result.ExitCode, result.StandardOutput);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new XunitException($"sockchat-bench {string.Join(' ', args)} did not exit within {KillAfter.TotalSeconds:0} s and was killed.");
        }
    }
}
