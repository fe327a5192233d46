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
    /// <summary>Chat mode: the rooms the clients were spread over (<c>--chat-rooms</c>, 1 = one room); null in the other modes.</summary>
    public int? ChatRooms { get; init; }
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
    /// <summary>How many clients spoke over the web port's WebSocket (0: all TCP).</summary>
    public int WebClients { get; init; }
    /// <summary>The WebSocket clients' own figures, when there were any.</summary>
    public TransportFigures? Web { get; init; }
    /// <summary>The TCP clients' own figures, in a run that also had WebSocket clients.</summary>
    public TransportFigures? Tcp { get; init; }
    public int? ServerPid { get; init; }
    public long? ServerRssBeforeKib { get; init; }
    public long? ServerRssKib { get; init; }
    public long? ServerHwmKib { get; init; }
    public double? KibPerConnection { get; init; }
    public double? ServerCpuS { get; init; }
    public double GeneratorCpuS { get; init; }
    /// <summary>The generator's whole run, start to report: with <see cref="GeneratorCpuS"/>, how busy its core was.</summary>
    public double WallS { get; init; }
    /// <summary>Room mode: when the last connect completed, ms after the run began.</summary>
    public double? LastConnectMs { get; init; }
    /// <summary>Room mode: the window after the last connect within which a registration counts as in time.</summary>
    public double? RegisterWindowS { get; init; }
    /// <summary>Room mode: clients registered (welcome, or IRC's echo of their JOIN) within the register window.</summary>
    public int? RegisteredInWindow { get; init; }
    /// <summary>Room mode: ms from the last connect to the last registration; null when not everyone registered.</summary>
    public double? AllRegisteredMs { get; init; }
    /// <summary>Room mode: the window after the send within which the message reaching a client counts as in time.</summary>
    public double? DeliveryWindowS { get; init; }
    /// <summary>Room mode: readers (every client but the poster) that got the message within the delivery window; null when nothing was posted.</summary>
    public int? DeliveredInWindow { get; init; }
    /// <summary>Room mode: ms from the send until the last reader got it; null when not every reader did.</summary>
    public double? AllDeliveredMs { get; init; }
    /// <summary>Room mode: connections still open when the server's RSS was read (what <see cref="KibPerConnection"/> divides by).</summary>
    public int? ConnectionsHeld { get; init; }
    public int? StopReader { get; init; }
    public bool? StopReaderDisconnected { get; init; }
    /// <summary>complete, lossy, stalled, timeout, not_ready, or unreachable.</summary>
    public string Status { get; init; } = "";
    public int ExitCode { get; init; }
}
