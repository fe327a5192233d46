using System.Text.RegularExpressions;
using Sockchat.E2E.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.E2E;

/// <summary>What <c>dotnet tool install</c> puts on a user's disk, and that it runs as it is.</summary>
public sealed class InstalledToolTests(ITestOutputHelper output) : IClassFixture<InstalledTool>
{
    [NativeToolFact(Timeout = Timeouts.Test)]
    public async Task The_installed_sockchat_is_a_native_executable_with_no_dll_beside_it_and_prints_its_version()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        // The tool path holds a link into the tool's store; what it points to is the program.
        var program = File.ResolveLinkTarget(InstalledTool.Executable, returnFinalTarget: true)?.FullName ?? InstalledTool.Executable;
        var header = new byte[4];
        await using (var file = File.OpenRead(program))
        {
            await file.ReadExactlyAsync(header);
        }

        // Act
        var version = await sandbox.RunAsync(["--version"]);

        // Assert
        Assert.Equal("\u007fELF"u8.ToArray(), header);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(program)!, "*.dll"));
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(new Regex(@"^\d+\.\d+\.\d+"), Assert.Single(version.StdoutLines));
    }
}
