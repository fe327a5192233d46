using ArchUnitNET.Fluent;
using ArchUnitNET.Fluent.Syntax.Elements.Types;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;
using CompiledArchitecture = ArchUnitNET.Domain.Architecture;

namespace Sockchat.Tests.Architecture;

/// <summary>
/// STYLE.md §2, checked on the compiled sockchat assembly (every type, lambda and async state
/// machine, whatever its <c>using</c> lines say): Protocol depends on no other area; Server and
/// Client use Protocol only, never each other, the command line or configuration; Web uses Server
/// and Protocol; Cli is the only composition root. The folders share one project, so the compiler cannot enforce this.
/// <para>
/// The rules are the table <see cref="Areas"/>: what each area may use, and which libraries it
/// must not. A new area is one more row (as Web's: <c>["Web"] = new(["Server", "Protocol"], ["System.CommandLine"])</c>),
/// and <see cref="Every_namespace_in_the_assembly_is_an_area_with_rules"/> fails until it has one.
/// </para>
/// </summary>
public sealed class DependencyDirectionTests
{
    private const string Root = "Sockchat";

    /// <summary>What the command line and settings are built on; Protocol, Server and Client never see them.</summary>
    private static readonly string[] NoHostLibraries = ["System.CommandLine", "Microsoft.Extensions.Configuration"];

    /// <summary>The web stack; only serve loads it, since say's and join's start-up time is measured (issue 10).</summary>
    private const string AspNetCore = "Microsoft.AspNetCore";

    /// <summary>Area (namespace under <c>Sockchat.</c>, with everything below it) → what it may use.</summary>
    private static readonly Dictionary<string, AreaRules> Areas = new()
    {
        // Pure wire format: no sockets, no console, no logger, no settings.
        ["Protocol"] = new([], [.. NoHostLibraries, AspNetCore, "System.Net.Sockets", "Microsoft.Extensions.Logging"]),
        ["Server"] = new(["Protocol"], NoHostLibraries),
        ["Client"] = new(["Protocol"], [.. NoHostLibraries, AspNetCore]),
        // The web front end: its page and WebSocket endpoint, on the chat server. It may touch the
        // ASP.NET host's own configuration (to empty it), never the command line.
        ["Web"] = new(["Server", "Protocol"], ["System.CommandLine"]),
        ["Configuration"] = new(["Protocol"], ["System.CommandLine"]),
        // The composition root: it parses, loads settings and runs Server or Client.
        ["Cli"] = new(["Protocol", "Server", "Client", "Configuration", "Web"], []),
    };

    private sealed record AreaRules(string[] MayUse, string[] ForbiddenLibraries);

    private static readonly CompiledArchitecture Compiled =
        new ArchLoader().LoadAssemblies(typeof(Sockchat.Cli.SockchatCli).Assembly).Build();

    public static TheoryData<string> AreaNames => [.. Areas.Keys];

    private static string Namespace(string area) => $"{Root}.{area}";

    /// <summary>The types in any of <paramref name="namespaces"/> or below; with <paramref name="includeReferenced"/>, other assemblies' types too.</summary>
    private static GivenTypesConjunction InAny(IReadOnlyList<string> namespaces, bool includeReferenced = false)
    {
        var types = Types(includeReferenced).That().ResideInNamespaceOrBelow(namespaces[0]);
        foreach (var ns in namespaces.Skip(1))
        {
            types = types.Or().ResideInNamespaceOrBelow(ns);
        }
        return types;
    }

    [Theory]
    [MemberData(nameof(AreaNames))]
    public void An_area_uses_no_other_area_than_it_may(string area)
    {
        var forbidden = Areas.Keys.Where(other => other != area && !Areas[area].MayUse.Contains(other)).Select(Namespace).ToList();
        if (forbidden.Count == 0)
        {
            return;
        }

        IArchRule rule = InAny([Namespace(area)]).Should().NotDependOnAny(InAny(forbidden))
            .Because($"{area} may use {(Areas[area].MayUse.Length == 0 ? "no other area" : string.Join(", ", Areas[area].MayUse))} (STYLE.md §2)");

        rule.Check(Compiled);
    }

    [Theory]
    [MemberData(nameof(AreaNames))]
    public void An_area_uses_none_of_the_libraries_it_must_not(string area)
    {
        var rules = Areas[area];
        if (rules.ForbiddenLibraries.Length == 0)
        {
            return;
        }

        IArchRule rule = InAny([Namespace(area)]).Should().NotDependOnAny(InAny(rules.ForbiddenLibraries, includeReferenced: true))
            .Because($"{area} must not see {string.Join(", ", rules.ForbiddenLibraries)} (STYLE.md §2)");

        rule.Check(Compiled);
    }

    [Fact]
    public void Protocol_writes_nothing_to_the_console()
    {
        IArchRule rule = InAny([Namespace("Protocol")]).Should().NotDependOnAny(Types(true).That().HaveFullName("System.Console"))
            .Because("Protocol's only I/O types are pipes and buffer writers (STYLE.md §2)");

        rule.Check(Compiled);
    }

    [Fact]
    public void Every_namespace_in_the_assembly_is_an_area_with_rules()
    {
        var namespaces = Compiled.Types
            .Select(t => t.Namespace.FullName)
            .Where(ns => ns.StartsWith(Root + ".", StringComparison.Ordinal) || ns == Root)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Contains(Namespace("Protocol"), namespaces);
        Assert.All(namespaces, ns => Assert.True(
            Areas.Keys.Any(area => ns == Namespace(area) || ns.StartsWith(Namespace(area) + ".", StringComparison.Ordinal)),
            $"{ns} is not in the table of areas in {nameof(DependencyDirectionTests)}: add a row saying what it may use"));
    }

    [Fact]
    public void The_rules_see_the_dependencies_the_composition_root_really_has()
    {
        // A rule whose types matched nothing would pass whatever the code did. Cli is known to use
        // every other area and System.CommandLine, so the same selections must find those uses.
        foreach (var area in new[] { "Protocol", "Server", "Client", "Configuration" })
        {
            var users = InAny([Namespace("Cli")]).And().DependOnAny(InAny([Namespace(area)])).GetObjects(Compiled);
            Assert.True(users.Any(), $"no type in Cli is seen to use {area}");
        }
        var parsers = InAny([Namespace("Cli")]).And().DependOnAny(InAny(NoHostLibraries, includeReferenced: true)).GetObjects(Compiled);
        Assert.True(parsers.Any(), "no type in Cli is seen to use System.CommandLine");
    }
}
