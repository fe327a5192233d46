using Sockchat.E2E.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.E2E;

/// <summary><c>sockchat say</c>: one-shot posting for scripts, judged by what joined clients see and by exit codes.</summary>
public sealed class SayTests(ITestOutputHelper output) : IClassFixture<InstalledTool>
{
    [Fact(Timeout = Timeouts.Test)]
    public async Task Say_posts_its_argument_to_the_room_and_exits_0()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "build 1234 passed"]);

        // Assert
        Assert.Equal(0, say.ExitCode);
        Assert.Empty(say.StderrLines);
        await alice.WaitForLineAsync(ChatLines.Message("ci", "build 1234 passed"));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Say_posts_each_line_of_its_input_in_order_and_exits_0()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");
        string[] lines = ["first line", "second line", "third line"];

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}"], input: lines);

        // Assert
        Assert.Equal(0, say.ExitCode);
        Assert.Empty(say.StderrLines);
        await alice.WaitForLineAsync(ChatLines.Message("ci", "third line"));
        Assert.Equal(lines, MessagesFrom("ci", alice));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Say_delivers_a_thousand_lines_in_order_before_exiting_0()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");
        var lines = Enumerable.Range(1, 1000).Select(i => $"line {i}").ToArray();

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}"], input: lines);

        // Assert
        Assert.Equal(0, say.ExitCode);
        await alice.WaitForLineAsync(ChatLines.Message("ci", "line 1000"));
        Assert.Equal(lines, MessagesFrom("ci", alice));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Say_under_the_name_of_a_present_user_is_refused_with_exit_code_4()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "Alice", "--port", $"{server.Port}", "impostor"]);

        // Assert
        Assert.Equal(4, say.ExitCode);
        Assert.Contains("name_taken", Assert.Single(say.StderrLines), StringComparison.Ordinal);
        await alice.TypeAsync("still me");
        await alice.WaitForLineAsync(ChatLines.Message("alice", "still me"));
        Assert.DoesNotContain(alice.Output.Lines, line => line.Contains("impostor", StringComparison.Ordinal));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Say_to_an_absent_user_exits_4_naming_no_such_user()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "--to", "nobody", "hello?"]);

        // Assert
        Assert.Equal(4, say.ExitCode);
        Assert.Contains("no_such_user", Assert.Single(say.StderrLines), StringComparison.Ordinal);
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task Say_to_a_user_sends_a_private_message_only_they_see()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");
        var bob = await ClientProcess.JoinAsync(sandbox, server.Port, "bob");

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "--to", "bob", "your build broke"]);
        await bob.TypeAsync("public follow-up");

        // Assert
        Assert.Equal(0, say.ExitCode);
        await bob.WaitForLineAsync(ChatLines.DirectMessage("ci", "bob", "your build broke"));
        await alice.WaitForLineAsync(ChatLines.Message("bob", "public follow-up"));
        Assert.DoesNotContain(alice.Output.Lines, line => line.Contains("your build broke", StringComparison.Ordinal));
    }

    [Theory(Timeout = Timeouts.Test)]
    [InlineData("say", "--name", "ci", "anyone there?")]
    [InlineData("join", "--name", "alice")]
    public async Task Without_a_server_a_client_exits_3_with_one_line_on_stderr(params string[] args)
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var port = Ports.Dead();

        // Act
        var run = await sandbox.RunAsync([.. args, "--port", $"{port}"]);

        // Assert
        Assert.Equal(3, run.ExitCode);
        var error = Assert.Single(run.StderrLines);
        Assert.Contains($"{port}", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.StdoutLines);
    }

    /// <summary>The texts of the chat lines from <paramref name="sender"/> that <paramref name="client"/> has shown, in order.</summary>
    private static IEnumerable<string> MessagesFrom(string sender, ClientProcess client)
    {
        var prefix = $" {sender}: ";
        return client.Output.Lines
            .Where(line => line.Contains(prefix, StringComparison.Ordinal))
            .Select(line => line[(line.IndexOf(prefix, StringComparison.Ordinal) + prefix.Length)..]);
    }
}
