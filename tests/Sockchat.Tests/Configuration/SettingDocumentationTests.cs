using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration.Memory;
using Sockchat.Configuration;

namespace Sockchat.Tests.Configuration;

/// <summary>
/// The README's configuration table, chat.json.example and the docs say what the declarations in
/// <see cref="SettingDeclarations"/> say: every setting is there, nothing else is, and every
/// flag, variable and key they name exists.
/// </summary>
public sealed partial class SettingDocumentationTests
{
    private static readonly string Readme = RepositoryFiles.Read("README.md");

    [Fact]
    public void The_readme_table_has_one_row_per_declared_setting_as_declared_and_no_other()
    {
        // Arrange
        var rows = ReadmeSettingsTable.Rows(Readme);
        var problems = new List<string>();

        // Act
        foreach (var setting in SettingDeclarations.All)
        {
            var expected = ReadmeSettingsTable.Expected(setting);
            var row = rows.SingleOrDefault(r => r[0] == expected[0]);
            if (row is null)
            {
                problems.Add($"missing: {ReadmeSettingsTable.Line(setting)}");
            }
            else if (row.Length != expected.Length
                || !row.Take(3).SequenceEqual(expected.Take(3))
                || !StartsWith(row[3], expected[3]) || row[4] != expected[4] || !StartsWith(row[5], expected[5]))
            {
                problems.Add($"differs: | {string.Join(" | ", row)} |{Environment.NewLine}  declared as: {ReadmeSettingsTable.Line(setting)}");
            }
        }
        var declared = SettingDeclarations.All.Select(s => $"`{s.Key}`").ToHashSet();
        problems.AddRange(rows.Where(r => !declared.Contains(r[0])).Select(r => $"not declared: | {string.Join(" | ", r)} |"));
        problems.AddRange(rows.GroupBy(r => r[0]).Where(g => g.Count() > 1).Select(g => $"more than one row: {g.Key}"));

        // Assert
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Every_flag_variable_and_key_the_readme_and_docs_name_is_declared()
    {
        // Arrange
        var flags = SettingDeclarations.All.Where(s => s.Flag is not null).SelectMany(s => s.Aliases.Prepend(s.Flag!))
            .Concat(["--config", "-c", "--json", "--to", "--help", "--version"]).ToHashSet();
        // The tests' own variable (the PostgreSQL they use) is named in the README too; it is no setting.
        var variables = SettingDeclarations.All.Select(s => s.EnvironmentName)
            .Append(Sockchat.Testing.PostgresServer.EnvironmentVariable).ToHashSet();
        var keys = SettingDeclarations.All.Select(s => s.Key).ToHashSet();
        var problems = new List<string>();

        // Act
        foreach (var (file, text) in new[] { ("README.md", Readme), ("docs/protocol.md", RepositoryFiles.Read("docs", "protocol.md")) })
        {
            foreach (Match span in CodeSpan().Matches(text))
            {
                var code = span.Groups[1].Value;
                if (FlagLike().IsMatch(code) && !flags.Contains(code))
                {
                    problems.Add($"{file}: flag {code} is no option of sockchat");
                }
                foreach (Match variable in Variable().Matches(code))
                {
                    if (!variables.Contains(variable.Value) && !variable.Value.EndsWith('_'))
                    {
                        problems.Add($"{file}: variable {variable.Value} is not declared");
                    }
                }
                if (KeyLike().IsMatch(code) && !keys.Contains(code))
                {
                    problems.Add($"{file}: key {code} is not declared");
                }
            }
        }

        // Assert
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void The_readmes_example_command_lines_use_only_flags_their_command_has()
    {
        // Arrange
        var root = Sockchat.Cli.SockchatCli.BuildRoot();
        var problems = new List<string>();

        // Act
        foreach (Match line in CommandLine().Matches(Readme))
        {
            var command = root.Subcommands.Single(c => c.Name == line.Groups["command"].Value);
            var names = command.Options.SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet();
            var arguments = line.Groups["rest"].Value.Split('#')[0];
            foreach (Match flag in FlagToken().Matches(arguments))
            {
                if (!names.Contains(flag.Value))
                {
                    problems.Add($"sockchat {command.Name} has no {flag.Value}: {line.Value.Trim()}");
                }
            }
        }

        // Assert
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Chat_json_example_has_every_declared_key_and_no_other()
    {
        // Arrange
        using var document = JsonDocument.Parse(RepositoryFiles.Read("chat.json.example"));
        var found = new List<string>();
        void Walk(JsonElement element, string? parent)
        {
            foreach (var property in element.EnumerateObject())
            {
                var key = parent is null ? property.Name : $"{parent}.{property.Name}";
                if (property.Value.ValueKind == JsonValueKind.Object)
                {
                    Walk(property.Value, key);
                }
                else
                {
                    found.Add(key);
                }
            }
        }

        // Act
        Walk(document.RootElement, null);

        // Assert
        Assert.Equal(SettingDeclarations.All.Select(s => s.Key).Order(), found.Order());
    }

    [Fact]
    public void Chat_json_example_loads_for_every_command_without_a_warning_or_a_problem()
    {
        // Arrange
        var loader = new SettingsLoader(new MemoryConfigurationSource(), RepositoryFiles.Root, RepositoryFiles.Root);

        // Act
        var layers = loader.Load(new Dictionary<string, string?>(), "chat.json.example");
        var serve = SettingsBinder.Serve(layers);
        var client = SettingsBinder.Client(loader.Load(new Dictionary<string, string?>(), "chat.json.example"));

        // Assert
        Assert.Empty(layers.Warnings);
        Assert.Equal(10_000, serve.MaxClients);
        Assert.Equal("alice", client.Name);
    }

    private static bool StartsWith(string cell, string expected) =>
        cell == expected || cell.StartsWith(expected + " ", StringComparison.Ordinal) || cell.StartsWith(expected + ":", StringComparison.Ordinal);

    [GeneratedRegex(@"`([^`\n]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^--?[a-z][a-z-]*$")]
    private static partial Regex FlagLike();

    [GeneratedRegex(@"SOCKCHAT_[A-Z_]*")]
    private static partial Regex Variable();

    [GeneratedRegex(@"^(server|client|web)\.[a-zA-Z]+$")]
    private static partial Regex KeyLike();

    [GeneratedRegex(@"sockchat (?<command>serve|join|say)\b(?<rest>[^\n`]*)")]
    private static partial Regex CommandLine();

    [GeneratedRegex(@"(?<=^|\s)--?[a-z][a-z-]*")]
    private static partial Regex FlagToken();
}
