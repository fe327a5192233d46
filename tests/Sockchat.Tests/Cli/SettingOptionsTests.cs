using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration.Memory;
using Sockchat.Cli;
using Sockchat.Configuration;
using Sockchat.Tests.Infrastructure;

namespace Sockchat.Tests.Cli;

/// <summary>
/// The options of serve, join and say are the declared settings' flags: each declared flag is on
/// every command that uses the setting and nowhere else, no option is undeclared, none has a parser
/// default, and a bad value names the flag (or the variable) it came from.
/// </summary>
public sealed partial class SettingOptionsTests : IDisposable
{
    /// <summary>Options that are not layered settings: which chat.json to read, and what a command does.</summary>
    private static readonly Dictionary<string, string[]> NotSettings = new()
    {
        ["serve"] = ["--config"],
        ["join"] = ["--config", "--json"],
        ["say"] = ["--config", "--to"],
    };

    private readonly TempDirectory _work = new();
    private readonly StringWriter _out = new();
    private readonly StringWriter _err = new();

    public void Dispose()
    {
        _work.Dispose();
        _out.Dispose();
        _err.Dispose();
    }

    private static SettingCommands CommandOf(string name) => Enum.Parse<SettingCommands>(name, ignoreCase: true);

    private static Command Subcommand(string name) => SockchatCli.BuildRoot().Subcommands.Single(c => c.Name == name);

    private async Task<int> RunAsync(Dictionary<string, string?> environment, params string[] args) =>
        await SockchatCli.RunAsync(args, new InvocationConfiguration { Output = _out, Error = _err },
            () => new SettingsLoader(new MemoryConfigurationSource { InitialData = environment }, _work.Path, _work.Path));

    private string[] ErrorLines => _err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Theory]
    [InlineData("serve")]
    [InlineData("join")]
    [InlineData("say")]
    public void A_command_has_exactly_the_flags_declared_for_it(string name)
    {
        // Arrange
        var declared = SettingDeclarations.For(CommandOf(name)).Where(s => s.Flag is not null)
            .Select(s => string.Join(" ", s.Aliases.Prepend(s.Flag!).Order()))
            .Concat(NotSettings[name].Select(flag => flag == "--config" ? "--config -c" : flag));

        // Act
        var options = Subcommand(name).Options.Select(o => string.Join(" ", o.Aliases.Append(o.Name).Order()));

        // Assert
        Assert.Equal(declared.Order(), options.Order());
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("join")]
    [InlineData("say")]
    public void No_setting_option_has_a_parser_default_that_would_hide_the_environment_and_chat_json(string name)
    {
        // Arrange
        var options = new SettingOptions(CommandOf(name));
        var command = new RootCommand();
        options.AddTo(command);

        // Act
        var typed = options.Typed(command.Parse([]));

        // Assert: a bool option's own false is implicit, and never counts as typed.
        Assert.Empty(typed);
        Assert.DoesNotContain(options.Options, o => o.HasDefaultValue && o.ValueType != typeof(bool));
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("join")]
    [InlineData("say")]
    public void Help_texts_name_only_flags_of_their_command_and_declared_variables(string name)
    {
        // Arrange
        var command = Subcommand(name);
        var flags = command.Options.SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet();
        var variables = SettingDeclarations.All.Select(s => s.EnvironmentName).ToHashSet();

        // Act
        var named = command.Options.SelectMany(o => NamedFlag().Matches(o.Description ?? "").Select(m => (o.Name, m.Value))).ToList();
        var variablesNamed = command.Options.SelectMany(o => NamedVariable().Matches(o.Description ?? "").Select(m => (o.Name, m.Value))).ToList();

        // Assert
        Assert.DoesNotContain(named, n => !flags.Contains(n.Value));
        Assert.DoesNotContain(variablesNamed, n => !variables.Contains(n.Value));
    }

    public static TheoryData<string, string> NumberFlags()
    {
        var data = new TheoryData<string, string>();
        foreach (var command in new[] { "serve", "join", "say" })
        {
            foreach (var setting in SettingDeclarations.For(CommandOf(command)).Where(s => s.Flag is not null && s is IntegerSetting<int> or IntegerSetting<long>))
            {
                data.Add(command, setting.Key);
            }
        }
        return data;
    }

    [Theory(Timeout = 15000)]
    [MemberData(nameof(NumberFlags))]
    public async Task A_number_flag_past_its_range_exits_2_naming_the_flag_and_the_range(string command, string key)
    {
        // Arrange
        var setting = SettingDeclarations.All.Single(s => s.Key == key);
        var (min, max) = Range(setting, CommandOf(command));
        string[] name = command == "serve" ? [] : ["--name", "tester"];

        // Act
        var code = await RunAsync([], [command, setting.Flag!, (max + 1).ToString(CultureInfo.InvariantCulture), .. name]);

        // Assert
        Assert.Equal(ExitCodes.Usage, code);
        var line = Assert.Single(ErrorLines);
        Assert.Contains($"{key} {max + 1} is out of range ({min}-{max}) (from {setting.Flag})", line);
        Assert.Equal("", _out.ToString());
    }

    [Theory(Timeout = 15000)]
    [MemberData(nameof(NumberFlags))]
    public async Task A_number_variable_below_its_range_exits_2_naming_the_variable(string command, string key)
    {
        // Arrange
        var setting = SettingDeclarations.All.Single(s => s.Key == key);
        var (min, _) = Range(setting, CommandOf(command));

        // Act
        var code = await RunAsync(new() { [setting.ConfigurationKey] = (min - 1).ToString(CultureInfo.InvariantCulture), ["name"] = "tester" }, command);

        // Assert
        Assert.Equal(ExitCodes.Usage, code);
        var line = Assert.Single(ErrorLines);
        Assert.Contains($"(from {setting.EnvironmentName})", line);
        Assert.DoesNotContain(setting.Flag!, line);
    }

    [Fact(Timeout = 15000)]
    public async Task A_tls_key_without_a_certificate_from_the_environment_names_the_variable_and_how_to_give_a_certificate()
    {
        // Act
        var code = await RunAsync(new() { ["server:tlsKey"] = "key.pem" }, "serve", "--port", "0");

        // Assert
        Assert.Equal(ExitCodes.Usage, code);
        var line = Assert.Single(ErrorLines);
        Assert.Contains("server.tlsKey (from SOCKCHAT_SERVER__TLSKEY) needs a certificate too: --tls-cert, SOCKCHAT_SERVER__TLSCERT", line);
    }

    [Fact(Timeout = 15000)]
    public async Task A_certificate_and_a_self_signed_one_are_refused_naming_where_each_came_from()
    {
        // Arrange
        var file = _work.Write("chat.json", """{ "server": { "tlsSelfSigned": true } }""");

        // Act
        var code = await RunAsync([], "serve", "--tls-cert", "cert.pem", "--port", "0");

        // Assert
        Assert.Equal(ExitCodes.Usage, code);
        var line = Assert.Single(ErrorLines);
        Assert.Contains($"server.tlsCert (from --tls-cert) and server.tlsSelfSigned (from {file} (key \"server.tlsSelfSigned\")) exclude each other", line);
    }

    [Fact]
    public void A_list_setting_takes_a_repeated_flag_and_a_switch_its_bare_flag()
    {
        // Arrange: settings of kinds the table has no row of yet.
        var origins = new ListSetting("web.allowedOrigins", "--allowed-origin") { UsedBy = SettingCommands.Serve, Help = "Origins" };
        var noWeb = new SwitchSetting("web.disabled", "--no-web") { UsedBy = SettingCommands.Serve, Help = "No web" };
        var options = new SettingOptions([origins, noWeb], SettingCommands.Serve);
        var command = new RootCommand();
        options.AddTo(command);

        // Act
        var flags = options.Typed(command.Parse(["--allowed-origin", "https://a.example", "--allowed-origin", "https://b.example", "--no-web"]));
        var values = new SettingsLoader(new MemoryConfigurationSource(), _work.Path, _work.Path).Load(flags, null).For(SettingCommands.Serve);

        // Assert
        Assert.Equal(["https://a.example", "https://b.example"], values.Get(origins));
        Assert.True(values.Get(noWeb));
        Assert.Equal("--allowed-origin", values.SourceOf(origins));
    }

    private static (long Min, long Max) Range(Setting setting, SettingCommands command) => setting switch
    {
        IntegerSetting<int> s => (s.MinFor(command), s.Max),
        IntegerSetting<long> s => (s.MinFor(command), s.Max),
        _ => throw new ArgumentException(setting.Key),
    };

    [GeneratedRegex(@"(?<![\w-])--[a-z][a-z-]*")]
    private static partial Regex NamedFlag();

    [GeneratedRegex(@"SOCKCHAT_[A-Z_]+")]
    private static partial Regex NamedVariable();
}
