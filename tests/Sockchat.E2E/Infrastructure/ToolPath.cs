using System.Reflection;

namespace Sockchat.E2E.Infrastructure;

/// <summary>
/// Finds what the build left next to the sources (the load generator, <see cref="BenchPath"/>) and
/// the dotnet host. The tool itself is not run from its build output: see <see cref="InstalledTool"/>.
/// </summary>
public static class ToolPath
{
    /// <summary>The dotnet host that runs this test (set by the SDK): it packs the tool and runs the load generator.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

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
