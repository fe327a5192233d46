using System.CommandLine;
using Microsoft.Extensions.Configuration.Memory;
using Sockchat.Cli;
using Sockchat.Configuration;
using Sockchat.Protocol;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Cli;

/// <summary>
/// The command line, invoked in-process with captured output. Settings come from an empty
/// in-memory environment and a temp working directory, so the machine's SOCKCHAT_* variables
/// and chat.json files cannot leak in.
/// </summary>
public sealed class SockchatCliTests(ITestOutputHelper output) : IDisposable
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

    private SettingsLoader Loader() => new(new MemoryConfigurationSource(), _work.Path, _work.Path);

    private async Task<int> RunAsync(params string[] args)
    {
        var code = await SockchatCli.RunAsync(args, new InvocationConfiguration { Output = _out, Error = _err }, Loader);
        output.WriteLine($"exit {code}{Environment.NewLine}stdout:{Environment.NewLine}{_out}{Environment.NewLine}stderr:{Environment.NewLine}{_err}");
        return code;
    }

    private string[] ErrorLines => _err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact(Timeout = 15000)]
    public async Task Help_lists_the_commands_and_shows_examples()
    {
        // Act
        var code = await RunAsync("--help");

        // Assert
        Assert.Equal(ExitCodes.Ok, code);
        var text = _out.ToString();
        Assert.Contains("serve", text);
        Assert.Contains("join", text);
        Assert.Contains("say", text);
        Assert.Contains("Examples:", text);
        Assert.Equal("", _err.ToString());
    }

    [Theory(Timeout = 15000)]
    [InlineData("serve", "sockchat serve --port 0")]
    [InlineData("join", "sockchat join --name alice")]
    [InlineData("say", "sockchat say --name ci")]
    public async Task Each_command_help_shows_its_own_examples(string command, string example)
    {
        // Act
        var code = await RunAsync(command, "--help");

        // Assert
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("Examples:", _out.ToString());
        Assert.Contains(example, _out.ToString());
    }

    [Fact(Timeout = 15000)]
    public async Task No_command_shows_the_help_and_exits_2()
    {
        // Act
        var code = await RunAsync();

        // Assert
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("Examples:", _out.ToString());
    }

    [Theory(Timeout = 15000)]
    [InlineData("serve", "--port", "0")]
    [InlineData("say", "--name", "ci", "hi")]
    public async Task An_empty_password_exits_2_instead_of_turning_the_password_off(string command, params string[] rest)
    {
        // Act
        var code = await RunAsync([command, "--password", "", .. rest]);

        // Assert
        Assert.Equal(ExitCodes.Usage, code);
        var line = Assert.Single(ErrorLines);
        Assert.Contains("password is empty (from --password)", line);
        Assert.Equal("", _out.ToString());
    }

    [Fact(Timeout = 15000)]
    public async Task An_unknown_option_exits_2_with_one_line_on_stderr()
    {
        // Act
        var code = await RunAsync("serve", "--bogus");

        // Assert
        Assert.Equal(ExitCodes.Usage, code);
        var line = Assert.Single(ErrorLines);
        Assert.StartsWith("sockchat: ", line);
        Assert.Contains("--bogus", line);
        Assert.Contains("sockchat serve --help", line);
        Assert.Equal("", _out.ToString());
    }

    [Fact(Timeout = 15000)]
    public async Task Say_exits_3_with_one_line_when_nothing_listens()
    {
        // Arrange
        var port = FreePort.WithNothingListening();

        // Act
        var code = await RunAsync("say", "--name", "ci", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "hello");

        // Assert
        Assert.Equal(ExitCodes.CannotConnect, code);
        var line = Assert.Single(ErrorLines);
        Assert.Contains($"cannot connect to 127.0.0.1:{port}", line);
        Assert.Equal("", _out.ToString());
    }

    [Fact(Timeout = 15000)]
    public async Task Say_exits_0_once_the_message_is_acknowledged()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");

        // Act
        var code = await RunAsync("say", "-n", "ci", "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "build", "passed");

        // Assert
        Assert.Equal(ExitCodes.Ok, code);
        var message = await alice.ExpectAsync<MsgFrame>();
        Assert.Equal(("ci", "build passed"), (message.From, message.Text));
        Assert.Equal("", _err.ToString());
    }

    [Fact(Timeout = 15000)]
    public async Task Say_reads_its_port_from_chat_json_in_the_working_directory()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        _work.Write("chat.json", $$"""{ "port": {{server.Port}}, "name": "filebot" }""");

        // Act
        var code = await RunAsync("say", "from the file");

        // Assert
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal("filebot", (await alice.ExpectAsync<MsgFrame>()).From);
    }

    [Fact(Timeout = 15000)]
    public async Task Say_exits_4_when_the_server_refuses_the_name()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");

        // Act
        var code = await RunAsync("say", "-n", "alice", "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "hi");

        // Assert
        Assert.Equal(ExitCodes.Refused, code);
        Assert.Contains(ErrorCodes.NameTaken, Assert.Single(ErrorLines));
    }

    [Fact(Timeout = 15000)]
    public async Task Say_with_an_invalid_name_exits_2_naming_the_flag()
    {
        // Act
        var code = await RunAsync("say", "--name", "a b", "hi");

        // Assert
        Assert.Equal(ExitCodes.Usage, code);
        var line = Assert.Single(ErrorLines);
        Assert.Contains("--name", line);
    }

    [Fact(Timeout = 15000)]
    public async Task Serve_with_a_port_out_of_range_exits_2_naming_the_flag()
    {
        // Act
        var code = await RunAsync("serve", "--port", "70000");

        // Assert
        Assert.Equal(ExitCodes.Usage, code);
        var line = Assert.Single(ErrorLines);
        Assert.Contains("--port", line);
        Assert.Contains("70000", line);
        Assert.Equal("", _out.ToString());
    }

    [Fact(Timeout = 15000)]
    public async Task Broken_chat_json_exits_2_naming_the_file()
    {
        // Arrange
        var file = _work.Write("chat.json", "{ not json");

        // Act
        var code = await RunAsync("serve");

        // Assert
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(file, Assert.Single(ErrorLines));
    }

    [Fact(Timeout = 15000)]
    public async Task Unknown_keys_in_chat_json_are_warned_about_on_stderr()
    {
        // Arrange
        _work.Write("chat.json", """{ "colour": "blue", "name": "a b" }""");

        // Act
        var code = await RunAsync("say", "hi");

        // Assert
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(ErrorLines, l => l.StartsWith("sockchat: warning:", StringComparison.Ordinal) && l.Contains("\"colour\"", StringComparison.Ordinal));
    }
}
