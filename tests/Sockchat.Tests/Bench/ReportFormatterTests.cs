using System.Text.Json;
using Sockchat.Bench;

namespace Sockchat.Tests.Bench;

/// <summary>The run's report: the one JSON line on stdout (fields as bench/README.md names them) and the summary on stderr.</summary>
public sealed class ReportFormatterTests
{
    /// <summary>The fields bench/README.md lists under "Report".</summary>
    private static readonly string[] DocumentedFields =
    [
        "label", "dialect", "mode", "clients", "ready", "failed", "disconnected", "end_reasons", "connect_ms", "ready_ms",
        "senders", "messages", "chat_rooms", "size", "rate", "sent", "expected", "received", "lost", "duplicated", "reordered", "spliced",
        "server_errors", "reads", "duration_s", "delivered_per_s", "p50_us", "p90_us", "p99_us", "p999_us", "max_us", "mean_us",
        "server_pid", "server_rss_before_kib", "server_rss_kib", "server_hwm_kib", "kib_per_connection", "server_cpu_s",
        "generator_cpu_s", "stop_reader", "stop_reader_disconnected", "status", "exit_code",
    ];

    private static readonly BenchReport Lossy = new()
    {
        Label = "b-100", Dialect = "json", Mode = "chat", Clients = 100, Ready = 100, Failed = 0, Disconnected = 1,
        EndReasons = new Dictionary<string, int> { ["closed by server"] = 1 },
        ConnectMs = 12.5, ReadyMs = 80.1, Senders = 10, Messages = 1000, ChatRooms = 1, Size = 64, Rate = 0, Sent = 10_000,
        Expected = 990_000, Received = 989_000, Lost = 1_000, Duplicated = 2, Reordered = 3, Spliced = 4, ServerErrors = 5,
        Reads = 40_000, DurationS = 1.25, DeliveredPerS = 791_200, P50Us = 900, P90Us = 2_000, P99Us = 5_000, P999Us = 9_000,
        MaxUs = 12_000, MeanUs = 1_100.5, ServerPid = 4321, ServerRssBeforeKib = 50_000, ServerRssKib = 60_000, ServerHwmKib = 70_000,
        KibPerConnection = null, ServerCpuS = 1.1, GeneratorCpuS = 1.3, WallS = 2.5, StopReader = null, StopReaderDisconnected = null,
        Status = "lossy", ExitCode = 1,
    };

    [Fact]
    public void The_json_line_is_one_line_holding_every_field_the_readme_documents_in_snake_case()
    {
        // Act
        var line = ReportFormatter.ToJsonLine(Lossy);

        // Assert
        Assert.DoesNotContain("\n", line, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(line);
        var names = json.RootElement.EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.All(DocumentedFields, field => Assert.Contains(field, names));
        Assert.Equal(1_000, json.RootElement.GetProperty("lost").GetInt64());
        Assert.Equal(9_000, json.RootElement.GetProperty("p999_us").GetInt64());
        Assert.Equal(1, json.RootElement.GetProperty("end_reasons").GetProperty("closed by server").GetInt32());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("kib_per_connection").ValueKind);
    }

    [Fact]
    public void A_json_line_reads_back_into_the_same_report()
    {
        // Act
        var back = ReportFormatter.FromJsonLine(ReportFormatter.ToJsonLine(Lossy));

        // Assert
        Assert.NotNull(back);
        Assert.Equal(Lossy.EndReasons, back.EndReasons);
        Assert.Equal(Lossy with { EndReasons = null }, back with { EndReasons = null });
    }

    [Fact]
    public void The_summary_shows_the_status_and_every_kind_of_damage()
    {
        // Act
        var summary = ReportFormatter.ToSummary(Lossy);

        // Assert
        Assert.StartsWith("== b-100 (json): lossy", summary, StringComparison.Ordinal);
        Assert.Contains("deliveries   989000/990000 (lost 1000, duplicated 2, reordered 3, spliced 4, server errors 5)", summary, StringComparison.Ordinal);
        Assert.Contains("1 x closed by server", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void The_json_line_gives_the_chat_rooms_and_the_summary_names_them_when_there_are_several()
    {
        // Act
        var rooms = Lossy with { ChatRooms = 50 };
        using var json = JsonDocument.Parse(ReportFormatter.ToJsonLine(rooms));

        // Assert
        Assert.Equal(50, json.RootElement.GetProperty("chat_rooms").GetInt32());
        Assert.Contains("10 senders x 1000 messages of 64 B in 50 rooms,", ReportFormatter.ToSummary(rooms), StringComparison.Ordinal);
        Assert.Contains("10 senders x 1000 messages of 64 B,", ReportFormatter.ToSummary(Lossy), StringComparison.Ordinal);
    }
}
