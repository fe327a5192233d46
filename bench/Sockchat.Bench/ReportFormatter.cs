using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sockchat.Bench;

/// <summary>Turns a run into text: the progress line, the human summary (stderr) and the one JSON line (stdout).</summary>
public static class ReportFormatter
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
    };

    public static string ToJsonLine(BenchReport report) => JsonSerializer.Serialize(report, JsonOptions);

    public static BenchReport? FromJsonLine(string line) => JsonSerializer.Deserialize<BenchReport>(line, JsonOptions);

    public static string ToProgressLine(ProgressSnapshot p)
    {
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"[{p.Elapsed.TotalSeconds,6:F1}s] {p.Phase,-7} ready {p.Ready}/{p.Clients}");
        if (p.Failed > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $" failed {p.Failed}");
        }
        if (p.ToSend > 0)
        {
            line.Append(CultureInfo.InvariantCulture,
                $"  sent {p.Sent}/{p.ToSend}  delivered {Count(p.Received)}/{Count(p.Expected)} ({Count(p.ReceivedPerSecond)}/s)");
        }
        if (p.Spliced > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $"  spliced {p.Spliced}");
        }
        return line.ToString();
    }

    public static string ToSummary(BenchReport r)
    {
        var text = new StringBuilder();
        var title = string.IsNullOrEmpty(r.Label) ? r.Dialect : $"{r.Label} ({r.Dialect})";
        text.AppendLine(CultureInfo.InvariantCulture, $"== {title}: {r.Status}");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"clients      {r.Ready}/{r.Clients} ready (failed {r.Failed}, disconnected {r.Disconnected}); connected in {r.ConnectMs:F0} ms, ready in {r.ReadyMs:F0} ms");
        if (r.EndReasons is { Count: > 0 } reasons)
        {
            text.AppendLine("ended        " + string.Join(", ", reasons.Select(kv => $"{kv.Value} x {kv.Key}")));
        }
        if (r.Mode == "chat")
        {
            var rate = r.Rate > 0 ? $"{r.Rate:G} msg/s each" : "as fast as possible";
            var rooms = r.ChatRooms is > 1 ? $" in {r.ChatRooms} rooms" : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"load         {r.Senders} senders x {r.Messages} messages of {r.Size} B{rooms}, {rate}; {r.Sent} sent");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"deliveries   {r.Received}/{r.Expected} (lost {r.Lost}, duplicated {r.Duplicated}, reordered {r.Reordered}, spliced {r.Spliced}, server errors {r.ServerErrors})");
            text.AppendLine(CultureInfo.InvariantCulture, $"throughput   {r.DeliveredPerS:N0} deliveries/s over {r.DurationS:F3} s");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"latency      p50 {Micros(r.P50Us)}  p90 {Micros(r.P90Us)}  p99 {Micros(r.P99Us)}  p99.9 {Micros(r.P999Us)}  max {Micros(r.MaxUs)}");
        }
        foreach (var (name, group) in new[] { ("web", r.Web), ("tcp", r.Tcp) })
        {
            if (group is not null)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"{name + " clients",-12} {group.Clients} ({group.Senders} sending): {group.Received}/{group.Expected} delivered, {group.DeliveredPerS:N0}/s over {group.DurationS:F3} s; p50 {Micros(group.P50Us)}  p99 {Micros(group.P99Us)}  max {Micros(group.MaxUs)}");
            }
        }
        if (r.Mode == "room")
        {
            var all = r.AllRegisteredMs is { } regMs ? $"all {r.Clients} {regMs:F0} ms after it" : $"not all {r.Clients} within the wait";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"registered   {r.RegisteredInWindow}/{r.Clients} within {r.RegisterWindowS:G} s of the last connect ({r.LastConnectMs:F0} ms); {all}");
            var readers = r.Clients - 1;
            var last = r.AllDeliveredMs is { } delMs ? $"the last {delMs:F1} ms after the send" : $"{r.Received}/{readers} got it at all";
            var message = r.DeliveredInWindow is { } inWindow
                ? string.Create(CultureInfo.InvariantCulture, $"message      reached {inWindow}/{readers} readers within {r.DeliveryWindowS:G} s; {last}")
                : "message      not posted (client 0 was not registered)";
            text.AppendLine(message);
        }
        if (r.StopReader is { } reader)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"stop-reader  b{reader} stopped reading; server disconnected it: {(r.StopReaderDisconnected == true ? "yes" : "no")}");
        }
        if (r.ServerPid is not null)
        {
            var perConnection = r.KibPerConnection is { } kib ? $", {kib:F2} KiB per connection" : "";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"server       pid {r.ServerPid}: RSS {r.ServerRssKib} KiB (before {r.ServerRssBeforeKib}), peak {r.ServerHwmKib} KiB{perConnection}; CPU {r.ServerCpuS:F2} s");
        }
        text.Append(CultureInfo.InvariantCulture, $"generator    CPU {r.GeneratorCpuS:F2} s in {r.WallS:F2} s");
        return text.ToString();
    }

    private static string Count(long n) => n switch
    {
        >= 10_000_000 => (n / 1e6).ToString("F1", CultureInfo.InvariantCulture) + "M",
        >= 10_000 => (n / 1e3).ToString("F0", CultureInfo.InvariantCulture) + "k",
        _ => n.ToString(CultureInfo.InvariantCulture),
    };

    private static string Micros(long us) => us switch
    {
        >= 10_000 => (us / 1000.0).ToString("F1", CultureInfo.InvariantCulture) + " ms",
        _ => us.ToString(CultureInfo.InvariantCulture) + " µs",
    };
}
