namespace Sockchat.Tests.Configuration;

/// <summary>Files of the repository the tests read (the README, chat.json.example), found above the test's folder.</summary>
internal static class RepositoryFiles
{
    public static readonly string Root = FindRoot();

    public static string Read(params string[] path) => File.ReadAllText(Path.Combine([Root, .. path]));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "dotnet-sockchat.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no dotnet-sockchat.sln above {AppContext.BaseDirectory}");
    }
}
