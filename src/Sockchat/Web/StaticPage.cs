using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace Sockchat.Web;

/// <summary>
/// The page's files, embedded in the tool (logical names <c>wwwroot/…</c>, see Sockchat.csproj) and
/// read into memory once. Only these names are served: nothing is ever read from the disk, so no
/// request path can reach another file.
/// </summary>
internal sealed class StaticPage
{
    private const string Prefix = "wwwroot/";

    private readonly FrozenDictionary<string, StaticFile> _files;

    private StaticPage(FrozenDictionary<string, StaticFile> files) => _files = files;

    public int Count => _files.Count;

    public static StaticPage Load()
    {
        var assembly = typeof(StaticPage).Assembly;
        var files = new Dictionary<string, StaticFile>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal) || ContentTypeOf(name) is not { } contentType)
            {
                continue;
            }
            var bytes = Read(assembly, name);
            // A strong ETag from the content: the page is the same for the whole life of the tool.
            var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8))}\"";
            files["/" + name[Prefix.Length..]] = new StaticFile(bytes, contentType, etag);
        }
        if (files.TryGetValue("/index.html", out var index))
        {
            files["/"] = index;
        }
        return new StaticPage(files.ToFrozenDictionary(StringComparer.Ordinal));
    }

    public bool TryGet(string path, out StaticFile file) => _files.TryGetValue(path, out file!);

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The media type for a file name; null for a kind the page does not use (it is not served).</summary>
    private static string? ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".webmanifest" => "application/manifest+json",
        _ => null,
    };
}

/// <summary>One embedded file: its bytes, media type and entity tag.</summary>
internal sealed record StaticFile(byte[] Content, string ContentType, string ETag);
