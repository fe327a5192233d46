namespace Sockchat.Client;

/// <summary>
/// Remembered server fingerprints, one "host:port FINGERPRINT" per line, in the user's config
/// folder (trust on first use, as ssh's known_hosts).
/// </summary>
public static class KnownHosts
{
    public static string? Find(string path, string endpoint)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == endpoint)
            {
                return parts[1];
            }
        }
        return null;
    }

    public static void Remember(string path, string endpoint, string fingerprint)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.AppendAllLines(path, [$"{endpoint} {fingerprint}"]);
    }
}
