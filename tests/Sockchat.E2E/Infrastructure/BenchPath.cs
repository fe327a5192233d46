using System.Reflection;

namespace Sockchat.E2E.Infrastructure;

/// <summary>
/// Finds the sockchat-bench.dll (the load generator, bench/Sockchat.Bench) built for the same
/// configuration and framework as this test assembly. Like <see cref="ToolPath"/>: the test
/// project references it with ReferenceOutputAssembly=false, so building the tests builds it,
/// next to its sources.
/// </summary>
public static class BenchPath
{
    private static readonly Lazy<string> Located = new(Locate);

    /// <summary>Full path of sockchat-bench.dll; run as <c>dotnet sockchat-bench.dll …</c> (see <see cref="ToolPath.DotnetHost"/>).</summary>
    public static string Dll => Located.Value;

    private static string Locate()
    {
        var testAssembly = typeof(BenchPath).Assembly;
        var configuration = testAssembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        // The test runs from tests/Sockchat.E2E/bin/<Configuration>/<tfm>/.
        var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = baseDirectory.Name;
        for (var directory = baseDirectory; directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "bench", "Sockchat.Bench", "bin", configuration, framework, "sockchat-bench.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException(
            $"sockchat-bench.dll ({configuration}, {framework}) was not found above {baseDirectory.FullName}; build the solution first (dotnet build).");
    }
}
