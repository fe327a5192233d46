using Sockchat.E2E.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.E2E;

/// <summary>
/// Settings reach real processes from every layer: flag, then SOCKCHAT_* environment, then
/// ./chat.json, then the user's $XDG_CONFIG_HOME/sockchat/chat.json. The server always runs on
/// a port of its own choosing; only the client under test is configured through the layer.
/// </summary>
public sealed class ConfigurationTests(ITestOutputHelper output) : IClassFixture<InstalledTool>
{
    [Fact(Timeout = Timeouts.Test)]
    public async Task The_port_and_name_from_the_environment_reach_say()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");
        var environment = new Dictionary<string, string>
        {
            ["SOCKCHAT_PORT"] = $"{server.Port}",
            ["SOCKCHAT_NAME"] = "envbot",
        };

        // Act
        var say = await sandbox.RunAsync(["say", "configured by the environment"], environment: environment);

        // Assert
        Assert.Equal(0, say.ExitCode);
        await alice.WaitForLineAsync(ChatLines.Message("envbot", "configured by the environment"));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task The_port_from_the_environment_reaches_join()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var environment = new Dictionary<string, string> { ["SOCKCHAT_PORT"] = $"{server.Port}" };

        // Act
        var bob = await ClientProcess.StartAsync(sandbox, ["--name", "bob"], environment);

        // Assert
        await bob.WaitForLineAsync(ChatLines.Welcome("bob"), Timeouts.Start);
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task The_port_and_name_from_chat_json_in_the_working_folder_reach_join()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");
        var folder = sandbox.CreateFolder("project");
        sandbox.WriteFile(Path.Combine(folder, "chat.json"), $$"""{ "port": {{server.Port}}, "name": "filebob" }""");

        // Act
        var bob = await ClientProcess.StartAsync(sandbox, [], workingDirectory: folder);

        // Assert
        await bob.WaitForLineAsync(ChatLines.Welcome("filebob"), Timeouts.Start);
        await alice.WaitForLineAsync(ChatLines.Joined("filebob"));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task The_port_from_the_users_config_folder_reaches_say()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");
        sandbox.WriteFile(Path.Combine(sandbox.ConfigHome, "sockchat", "chat.json"), $$"""{ "port": {{server.Port}} }""");

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "ci", "from the user's config"]);

        // Assert
        Assert.Equal(0, say.ExitCode);
        await alice.WaitForLineAsync(ChatLines.Message("ci", "from the user's config"));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task The_environment_beats_chat_json()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");
        var folder = sandbox.CreateFolder("project");
        sandbox.WriteFile(Path.Combine(folder, "chat.json"), $$"""{ "port": {{Ports.Dead()}} }""");
        var environment = new Dictionary<string, string> { ["SOCKCHAT_PORT"] = $"{server.Port}" };

        // Act
        var say = await sandbox.RunAsync(["say", "--name", "ci", "env wins"], environment: environment, workingDirectory: folder);

        // Assert
        Assert.Equal(0, say.ExitCode);
        await alice.WaitForLineAsync(ChatLines.Message("ci", "env wins"));
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_port_flag_beats_both_the_environment_and_chat_json()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var server = await ServerProcess.StartAsync(sandbox);
        var alice = await ClientProcess.JoinAsync(sandbox, server.Port, "alice");
        var folder = sandbox.CreateFolder("project");
        sandbox.WriteFile(Path.Combine(folder, "chat.json"), $$"""{ "port": {{Ports.Dead()}} }""");
        var environment = new Dictionary<string, string> { ["SOCKCHAT_PORT"] = $"{Ports.Dead()}" };

        // Act
        var say = await sandbox.RunAsync(
            ["say", "--name", "ci", "--port", $"{server.Port}", "the flag wins"], environment: environment, workingDirectory: folder);

        // Assert
        Assert.Equal(0, say.ExitCode);
        await alice.WaitForLineAsync(ChatLines.Message("ci", "the flag wins"));
    }
}
