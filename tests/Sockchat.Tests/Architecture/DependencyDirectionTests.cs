using System.Text.RegularExpressions;

namespace Sockchat.Tests.Architecture;

/// <summary>
/// STYLE.md §2: Protocol depends on nothing in the project; Server and Client depend on Protocol
/// only (and never on configuration or the command line); Cli is the only composition root.
/// The folders share one project, so the compiler cannot enforce this; these tests do.
/// </summary>
public sealed partial class DependencyDirectionTests
{
    private static readonly string SourceRoot = FindSourceRoot();

    private static string FindSourceRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "dotnet-sockchat.sln")))
            {
                return Path.Combine(dir.FullName, "src", "Sockchat");
            }
        }
        throw new InvalidOperationException($"no dotnet-sockchat.sln above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"\bSockchat\.(?<area>Server|Client|Cli|Configuration|Protocol|Web)\b")]
    private static partial Regex ProjectNamespace();

    /// <summary>Every reference from a file in <paramref name="folder"/> to one of <paramref name="forbidden"/>, as "file:line: text".</summary>
    private static List<string> ReferencesFrom(string folder, params string[] forbidden)
    {
        var files = Directory.GetFiles(Path.Combine(SourceRoot, folder), "*.cs", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        var found = new List<string>();
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var code = lines[i].TrimStart();
                if (code.StartsWith("//", StringComparison.Ordinal) || code.StartsWith("namespace ", StringComparison.Ordinal))
                {
                    continue;
                }
                foreach (Match match in ProjectNamespace().Matches(code))
                {
                    if (forbidden.Contains(match.Groups["area"].Value))
                    {
                        found.Add($"{Path.GetRelativePath(SourceRoot, file)}:{i + 1}: {code}");
                    }
                }
            }
        }
        return found;
    }

    /// <summary>Lines in <paramref name="folder"/> that use any of the external namespaces given.</summary>
    private static List<string> UsesOf(string folder, params string[] namespaces)
    {
        var found = new List<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(SourceRoot, folder), "*.cs", SearchOption.AllDirectories))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var code = lines[i].TrimStart();
                if (!code.StartsWith("//", StringComparison.Ordinal) && namespaces.Any(n => code.Contains(n, StringComparison.Ordinal)))
                {
                    found.Add($"{Path.GetRelativePath(SourceRoot, file)}:{i + 1}: {code}");
                }
            }
        }
        return found;
    }

    [Fact]
    public void Protocol_depends_on_nothing_else_in_the_project()
    {
        Assert.Empty(ReferencesFrom("Protocol", "Server", "Client", "Cli", "Configuration"));
    }

    [Fact]
    public void Server_does_not_depend_on_the_client_the_command_line_or_configuration()
    {
        Assert.Empty(ReferencesFrom("Server", "Client", "Cli", "Configuration"));
    }

    [Fact]
    public void Client_does_not_depend_on_the_server_the_command_line_or_configuration()
    {
        Assert.Empty(ReferencesFrom("Client", "Server", "Cli", "Configuration"));
    }

    [Fact]
    public void Configuration_does_not_depend_on_the_server_the_client_or_the_command_line()
    {
        Assert.Empty(ReferencesFrom("Configuration", "Server", "Client", "Cli"));
    }

    [Theory]
    [InlineData("Protocol")]
    [InlineData("Server")]
    [InlineData("Client")]
    public void Only_the_command_line_and_configuration_see_IConfiguration_and_System_CommandLine(string folder)
    {
        Assert.Empty(UsesOf(folder, "Microsoft.Extensions.Configuration", "System.CommandLine"));
    }

    [Fact]
    public void Web_depends_on_the_server_and_protocol_only()
    {
        Assert.Empty(ReferencesFrom("Web", "Client", "Cli", "Configuration"));
        Assert.Empty(ReferencesFrom("Protocol", "Web"));
        Assert.Empty(ReferencesFrom("Client", "Web"));
    }

    [Theory]
    [InlineData("Protocol")]
    [InlineData("Client")]
    public void Say_and_join_never_touch_ASP_NET_Core(string folder)
    {
        // Issue 10: their start-up time is measured; only serve loads Kestrel.
        Assert.Empty(UsesOf(folder, "Microsoft.AspNetCore"));
    }

    [Fact]
    public void Protocol_knows_nothing_about_sockets_consoles_or_loggers()
    {
        Assert.Empty(UsesOf("Protocol", "System.Net.Sockets", "Microsoft.Extensions.Logging", "Console."));
    }
}
