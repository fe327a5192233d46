namespace Sockchat.E2E.Infrastructure;

/// <summary>
/// Finds the sockchat-bench.dll (the load generator, bench/Sockchat.Bench) built for the same
/// configuration and framework as this test assembly. The test
/// project references it with ReferenceOutputAssembly=false, so building the tests builds it,
/// next to its sources.
/// </summary>
public static class BenchPath
{
    private static readonly Lazy<string> Located = new(Locate);

    /// <summary>Full path of sockchat-bench.dll; run as <c>dotnet sockchat-bench.dll …</c> (see <see cref="ToolPath.DotnetHost"/>).</summary>
    public static string Dll => Located.Value;

    private static string Locate() => ToolPath.BuiltAssembly(Path.Combine("bench", "Sockchat.Bench"), "sockchat-bench.dll");
}
