using System.Globalization;
using System.Text.Json;
using Sockchat.E2E.Infrastructure;

namespace Sockchat.E2E.Cluster;

/// <summary>
/// Helpers for the cluster end-to-end tests: real <c>sockchat serve --cluster</c> nodes (rate
/// limit off, so a load is not refused) and JSON-lines clients speaking to them.
/// </summary>
internal static class ClusterNode
{
    public const int SigKill = 9;

    /// <summary>A node on free chat and web ports, pointed at <paramref name="connectionString"/>.</summary>
    public static Task<ServerProcess> StartAsync(Sandbox sandbox, string connectionString, params string[] extra) =>
        ServerProcess.StartAsync(sandbox, 0, ["--cluster", connectionString, "--rate", "0", .. extra]);

    /// <summary>Connects, sends <c>hello</c> and waits for <c>welcome</c>.</summary>
    public static async Task<RawClient> HelloAsync(Sandbox sandbox, int port, string name, long? since = null)
    {
        var client = await RawClient.ConnectAsync(sandbox, port, name);
        var hello = new Dictionary<string, object> { ["type"] = "hello", ["name"] = name };
        if (since is { } seq)
        {
            hello["since"] = new Dictionary<string, long> { ["general"] = seq };
        }
        await client.SendLineAsync(JsonSerializer.Serialize(hello));
        await client.WaitForFrameAsync("welcome");
        return client;
    }

    public static string Say(string text, string id) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["type"] = "say", ["text"] = text, ["id"] = id });

    /// <summary>The live (not replayed) <c>msg</c> frames of <c>general</c> received so far, in arrival order.</summary>
    public static List<Message> LiveMessages(RawClient client) => Messages(client, replayed: false);

    /// <summary>The replayed (<c>history: true</c>) <c>msg</c> frames of <c>general</c>, in arrival order.</summary>
    public static List<Message> ReplayedMessages(RawClient client) => Messages(client, replayed: true);

    private static List<Message> Messages(RawClient client, bool replayed) =>
        [.. Frames(client, "msg")
            .Where(f => f.GetProperty("room").GetString() == "general"
                && (f.TryGetProperty("history", out var h) && h.ValueKind == JsonValueKind.True) == replayed)
            .Select(Message.Of)];

    /// <summary>Every received frame of <paramref name="type"/>, in arrival order.</summary>
    public static IEnumerable<JsonElement> Frames(RawClient client, string type) =>
        client.Received.Lines.Select(Parse).Where(f => f is { } e && e.TryGetProperty("type", out var t) && t.GetString() == type).Select(f => f!.Value);

    /// <summary>Waits (bounded) until <paramref name="count"/> live <c>msg</c> frames of general have arrived.</summary>
    public static Task WaitForLiveMessagesAsync(RawClient client, int count, TimeSpan timeout) =>
        WaitForCountAsync(client, f => IsType(f, "msg") && !(f.TryGetProperty("history", out var h) && h.ValueKind == JsonValueKind.True), count, $"{count} live msg frames", timeout);

    /// <summary>Waits (bounded) until <paramref name="count"/> frames satisfying <paramref name="where"/> have arrived.</summary>
    public static async Task WaitForCountAsync(RawClient client, Func<JsonElement, bool> where, int count, string description, TimeSpan timeout)
    {
        var seen = 0;
        await client.Received.WaitForAsync(
            line =>
            {
                if (Parse(line) is { } frame && where(frame))
                {
                    seen++;
                }
                return seen >= count;
            },
            description,
            timeout);
    }

    public static bool IsType(JsonElement frame, string type) =>
        frame.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == type;

    /// <summary>The acks received so far: id → seq.</summary>
    public static Dictionary<string, long> Acks(RawClient client) =>
        Frames(client, "ack").ToDictionary(f => f.GetProperty("id").GetString()!, f => f.GetProperty("seq").GetInt64());

    /// <summary>The whole history of general read through <paramref name="client"/>, a page of up to 500 at a time (after = the last seq of the previous page).</summary>
    public static async Task<List<Message>> ReadHistoryAsync(RawClient client, TimeSpan timeout)
    {
        var all = new List<Message>();
        var after = 0L;
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var before = Frames(client, "history").Count();
            await client.SendLineAsync($$"""{"type":"history","room":"general","after":{{after.ToString(CultureInfo.InvariantCulture)}},"limit":500}""");
            await WaitForCountAsync(client, f => IsType(f, "history"), before + 1, "a history page", timeout);
            var page = Frames(client, "history").ElementAt(before).GetProperty("messages").EnumerateArray().Select(Message.Of).ToList();
            if (page.Count == 0)
            {
                return all;
            }
            all.AddRange(page);
            after = page[^1].Seq;
            deadline.Token.ThrowIfCancellationRequested();
        }
    }

    public static async Task<int> HealthAsync(Uri webUrl)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(new Uri(webUrl, "/healthz"));
            return (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return -1;
        }
    }

    /// <summary>Polls <c>/healthz</c> (every 100 ms, bounded) until it answers <paramref name="status"/>.</summary>
    public static async Task WaitForHealthAsync(Uri webUrl, int status, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var last = 0;
        while (!deadline.IsCancellationRequested)
        {
            last = await HealthAsync(webUrl);
            if (last == status)
            {
                return;
            }
            await Task.Delay(100, CancellationToken.None);
        }
        throw new Xunit.Sdk.XunitException($"{webUrl}healthz did not answer {status} within {timeout.TotalSeconds:0} s (last: {last})");
    }

    private static JsonElement? Parse(string text)
    {
        if (!text.StartsWith('{'))
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

internal sealed record Message(long Seq, string From, string Text)
{
    public static Message Of(JsonElement frame) =>
        new(frame.GetProperty("seq").GetInt64(), frame.GetProperty("from").GetString()!, frame.GetProperty("text").GetString()!);
}
