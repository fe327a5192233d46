namespace Sockchat.Bench;

/// <summary>
/// The outcome of one run: what the JSON line on stdout holds (names in snake_case, see
/// <see cref="ReportFormatter"/>). Latencies are microseconds from send to delivery;
/// <see cref="DeliveredPerS"/> is unique deliveries over the time from the first send to the
/// last delivery.
/// </summary>
public sealed record BenchReport
{
    public string Label { get; init; } = "";
    public string Dialect { get; init; } = "";
    public string Mode { get; init; } = "chat";
    public int Clients { get; init; }
    public int Ready { get; init; }
    /// <summary>Clients that never became ready: connect failed, refused, or closed during the handshake.</summary>
    public int Failed { get; init; }
    /// <summary>Clients the server closed after they were ready.</summary>
    public int Disconnected { get; init; }
    /// <summary>Why clients failed or were disconnected, with how many each (at most a few reasons).</summary>
    public IReadOnlyDictionary<string, int>? EndReasons { get; init; }
    public double ConnectMs { get; init; }
    public double ReadyMs { get; init; }
    public int Senders { get; init; }
    public int Messages { get; init; }
    public int Size { get; init; }
    public double Rate { get; init; }
    public long Sent { get; init; }
    public long Expected { get; init; }
    public long Received { get; init; }
    public long Lost { get; init; }
    public long Duplicated { get; init; }
    public long Reordered { get; init; }
    public long Spliced { get; init; }
    public long ServerErrors { get; init; }
    /// <summary>Receive calls that returned data, over all counted clients.</summary>
    public long Reads { get; init; }
    public double DurationS { get; init; }
    public double DeliveredPerS { get; init; }
    public long P50Us { get; init; }
    public long P90Us { get; init; }
    public long P99Us { get; init; }
    public long P999Us { get; init; }
    public long MaxUs { get; init; }
    public double MeanUs { get; init; }
    public int? ServerPid { get; init; }
    public long? ServerRssBeforeKib { get; init; }
    public long? ServerRssKib { get; init; }
    public long? ServerHwmKib { get; init; }
    public double? KibPerConnection { get; init; }
    public double? ServerCpuS { get; init; }
    public double GeneratorCpuS { get; init; }
    /// <summary>The generator's whole run, start to report: with <see cref="GeneratorCpuS"/>, how busy its core was.</summary>
    public double WallS { get; init; }
    public int? StopReader { get; init; }
    public bool? StopReaderDisconnected { get; init; }
    /// <summary>complete, lossy, stalled, timeout, not_ready, or unreachable.</summary>
    public string Status { get; init; } = "";
    public int ExitCode { get; init; }
}
