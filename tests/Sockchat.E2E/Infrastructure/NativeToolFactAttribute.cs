namespace Sockchat.E2E.Infrastructure;

/// <summary>
/// A test of the Native AOT tool: skipped where the installed package is not the native one
/// (anything but linux-x64, see <see cref="InstalledTool.Rid"/>).
/// </summary>
public sealed class NativeToolFactAttribute : FactAttribute
{
    public NativeToolFactAttribute()
    {
        if (InstalledTool.Rid != "linux-x64")
        {
            Skip = $"the {InstalledTool.Rid} tool package is not Native AOT; only linux-x64 is.";
        }
    }
}
