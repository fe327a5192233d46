using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Sockchat.E2E.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.E2E;

/// <summary>The command line itself: help, version, and usage or configuration errors (exit code 2).</summary>
public sealed class CommandLineTests(ITestOutputHelper output) : IClassFixture<InstalledTool>
{
    [Fact(Timeout = Timeouts.Test)]
    public async Task Serve_with_a_port_out_of_range_exits_2_naming_the_port()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);

        // Act
        var serve = await sandbox.RunAsync(["serve", "--port", "70000"]);

        // Assert
        Assert.Equal(2, serve.ExitCode);
        var error = Assert.Single(serve.StderrLines);
        Assert.Contains("port", error, StringComparison.Ordinal);
        Assert.Contains("70000", error, StringComparison.Ordinal);
        Assert.DoesNotContain(serve.StdoutLines, line => line.StartsWith("listening on", StringComparison.Ordinal));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Serve_on_a_port_in_use_exits_2_with_one_error_line()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var port = ((IPEndPoint)taken.LocalEndpoint).Port;

            // Act
            var serve = await sandbox.RunAsync(["serve", "--port", $"{port}"]);

            // Assert
            Assert.Equal(2, serve.ExitCode);
            // Start-up logs may come first (stderr is also the log); the error is one line of its own.
            var error = Assert.Single(serve.StderrLines, line => line.StartsWith("sockchat: ", StringComparison.Ordinal));
            Assert.Contains($"{port}", error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", serve.Stderr, StringComparison.Ordinal);
            Assert.Empty(serve.StdoutLines);
        }
        finally
        {
            taken.Stop();
        }
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_bad_port_from_the_environment_exits_2_naming_the_variable()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var environment = new Dictionary<string, string> { ["SOCKCHAT_PORT"] = "seventy" };

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "ci", "hello"], environment: environment);

        // Assert
        Assert.Equal(2, say.ExitCode);
        Assert.Contains("SOCKCHAT_PORT", Assert.Single(say.StderrLines), StringComparison.Ordinal);
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Every_bad_value_in_chat_json_is_reported_at_once_naming_the_file_and_keys()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var file = sandbox.WriteFile(Path.Combine(sandbox.WorkingDirectory, "chat.json"), """{ "port": 99999, "name": "not a name" }""");

        // Act
        var say = await sandbox.RunAsync(["say", "hello"]);

        // Assert
        Assert.Equal(2, say.ExitCode);
        var error = Assert.Single(say.StderrLines);
        Assert.Contains(file, error, StringComparison.Ordinal);
        Assert.Contains("port", error, StringComparison.Ordinal);
        Assert.Contains("name", error, StringComparison.Ordinal);
    }

    [Theory(Timeout = Timeouts.Test)]
    [InlineData("serve")]
    [InlineData("join", "--name", "alice")]
    [InlineData("say", "--name", "ci", "hello")]
    public async Task A_broken_chat_json_exits_2_naming_the_file(params string[] args)
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var file = sandbox.WriteFile(Path.Combine(sandbox.WorkingDirectory, "chat.json"), """{ "port": """);

        // Act
        var run = await sandbox.RunAsync(args);

        // Assert
        Assert.Equal(2, run.ExitCode);
        var error = Assert.Single(run.StderrLines);
        Assert.Contains(file, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Help_lists_the_three_commands()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);

        // Act
        var help = await sandbox.RunAsync(["--help"]);

        // Assert
        Assert.Equal(0, help.ExitCode);
        foreach (var command in new[] { "serve", "join", "say" })
        {
            Assert.Contains(help.StdoutLines, line => Regex.IsMatch(line, $@"^\s+{command}\b"));
        }
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Version_prints_a_version_and_exits_0()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);

        // Act
        var version = await sandbox.RunAsync(["--version"]);

        // Assert
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(new Regex(@"^\d+\.\d+\.\d+"), Assert.Single(version.StdoutLines));
        Assert.Empty(version.StderrLines);
    }
}
