namespace Sockchat.E2E.Infrastructure;

/// <summary>
/// A test that runs the tool on a pseudo-terminal through util-linux <c>script</c>
/// (<see cref="Sandbox.Terminal"/>): skipped, saying why, where there is no such <c>script</c>.
/// </summary>
public sealed class TerminalFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> ScriptOnPath = new(() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, "script"))));

    public TerminalFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "pseudo-terminal tests use util-linux script, Linux only.";
        }
        else if (!ScriptOnPath.Value)
        {
            Skip = "util-linux script is not on PATH (package util-linux, or bsdutils on Debian).";
        }
    }
}
