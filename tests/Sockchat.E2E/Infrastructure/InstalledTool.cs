using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using CliWrap;
using CliWrap.Buffered;

namespace Sockchat.E2E.Infrastructure;

/// <summary>
/// The <c>sockchat</c> tool as a user gets it: src/Sockchat packed with <c>dotnet pack</c> (same
/// configuration as this test assembly) into a temp package folder, then installed from there
/// with <c>dotnet tool install --tool-path</c>. Done once per test run (a thread-safe Lazy), and
/// the folder is deleted when the test process exits.
/// Every test class declares <c>IClassFixture&lt;InstalledTool&gt;</c>: a fixture's set-up runs
/// before the class's tests and outside their <c>[Fact(Timeout)]</c>, so a pack that takes a
/// minute or more on a loaded machine does not count against the first test that needs it.
/// </summary>
public sealed class InstalledTool : IAsyncLifetime
{
    /// <summary>Bound on the pack (an AOT compilation on a loaded 2-core machine) and on the install.</summary>
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(2);

    private static readonly Lazy<Task<string>> Installation = new(InstallAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private static string? _executable;

    /// <summary>
    /// The installed executable, <c>TOOLS/sockchat</c>: on linux-x64 the Native AOT program itself.
    /// </summary>
    /// <exception cref="InvalidOperationException">the test class does not declare <c>IClassFixture&lt;InstalledTool&gt;</c></exception>
    public static string Executable => Volatile.Read(ref _executable)
        ?? throw new InvalidOperationException($"The tool is not installed yet: declare IClassFixture<{nameof(InstalledTool)}> on the test class.");

    /// <summary>The package RID this run packs and installs (see <see cref="PackageRid"/>).</summary>
    public static string Rid { get; } = PackageRid();

    public async Task InitializeAsync() => Volatile.Write(ref _executable, await Installation.Value);

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>
    /// linux-x64 gets the Native AOT package, win-x64 its ReadyToRun one; any other platform
    /// installs the portable <c>any</c> package (what the pointer package falls back to there),
    /// since only those three are packed (src/Sockchat/Sockchat.csproj).
    /// </summary>
    private static string PackageRid() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 when OperatingSystem.IsLinux() => "linux-x64",
        Architecture.X64 when OperatingSystem.IsWindows() => "win-x64",
        _ => "any",
    };

    private static async Task<string> InstallAsync()
    {
        var root = Directory.CreateTempSubdirectory("sockchat-e2e-tool-").FullName;
        // xunit 2 has no assembly-wide teardown; the test process exiting is the end of the run.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteFolder(root);
        var packages = Path.Combine(root, "packages");
        var tools = Path.Combine(root, "tools");
        var project = Path.Combine(RepositoryRoot(), "src", "Sockchat", "Sockchat.csproj");
        var configuration = typeof(InstalledTool).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

        await RunDotnetAsync(
            ["pack", project, "--nologo", "-c", configuration, "-o", packages, $"-p:SockchatPackRids={Rid}"],
            new Dictionary<string, string?> { ["MSBUILDDISABLENODEREUSE"] = "1" },
            PackTimeout);

        // As a user installs a local build (--add-source), but from the fresh packages only: a config
        // that clears every other source (the machine's one points to a package mirror), and a
        // packages folder of its own, since the user's would hand back a sockchat 0.1.0 extracted
        // from an earlier pack instead of this one.
        var config = Path.Combine(root, "nuget.config");
        await File.WriteAllTextAsync(config,
            $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
              </packageSources>
            </configuration>
            """);
        await RunDotnetAsync(
            ["tool", "install", "--tool-path", tools, "--configfile", config, "--add-source", packages, "sockchat"],
            new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(root, "nuget-cache") },
            InstallTimeout);

        var executable = Path.Combine(tools, OperatingSystem.IsWindows() ? "sockchat.exe" : "sockchat");
        return File.Exists(executable)
            ? executable
            : throw new FileNotFoundException($"dotnet tool install reported success but {executable} does not exist.");
    }

    private static async Task RunDotnetAsync(string[] args, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout)
    {
        var commandLine = $"dotnet {string.Join(' ', args)}";
        using var deadline = new CancellationTokenSource(timeout);
        BufferedCommandResult result;
        try
        {
            result = await Cli.Wrap(ToolPath.DotnetHost)
                .WithArguments(args)
                .WithEnvironmentVariables(new Dictionary<string, string?>(environment) { ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" })
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(Encoding.UTF8, Encoding.UTF8, deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"{commandLine} did not finish within {timeout.TotalMinutes:0} min and was killed.");
        }
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{commandLine} exited {result.ExitCode}.{Environment.NewLine}stdout:{Environment.NewLine}{result.StandardOutput}"
                + $"{Environment.NewLine}stderr:{Environment.NewLine}{result.StandardError}");
        }
    }

    /// <summary>The folder holding dotnet-sockchat.sln, searching upwards from where the test runs.</summary>
    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "dotnet-sockchat.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException($"dotnet-sockchat.sln was not found above {AppContext.BaseDirectory}.");
    }

    private static void DeleteFolder(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Something still holds a file; the system cleans its temp folder eventually.
        }
    }
}
