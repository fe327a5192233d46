using System.Reflection;

namespace Sockchat.E2E.Infrastructure;

/// <summary>
/// Finds the sockchat.dll built for the same configuration and framework as this test assembly.
/// The test project references src/Sockchat with ReferenceOutputAssembly=false, so building the
/// tests builds the tool, next to the sources rather than in the test's own output folder.
/// </summary>
public static class ToolPath
{
    private static readonly Lazy<string> Located = new(Locate);

    /// <summary>Full path of sockchat.dll; run as <c>dotnet sockchat.dll …</c>.</summary>
    public static string Dll => Located.Value;

    /// <summary>The dotnet host that runs this test (set by the SDK), so the tool runs on the same runtime.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string Locate() => BuiltAssembly(Path.Combine("src", "Sockchat"), "sockchat.dll");

    /// <summary>
    /// Finds <paramref name="fileName"/> in <c>projectDirectory/bin/&lt;Configuration&gt;/&lt;tfm&gt;/</c>, for the
    /// configuration and framework of this test assembly, searching upwards from where the test runs.
    /// </summary>
    internal static string BuiltAssembly(string projectDirectory, string fileName)
    {
        var configuration = typeof(ToolPath).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        // The test runs from tests/Sockchat.E2E/bin/<Configuration>/<tfm>/.
        var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = baseDirectory.Name;
        for (var directory = baseDirectory; directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, projectDirectory, "bin", configuration, framework, fileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException(
            $"{fileName} ({configuration}, {framework}) was not found above {baseDirectory.FullName}; build the solution first (dotnet build).");
    }
}
