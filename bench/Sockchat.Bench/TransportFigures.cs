namespace Sockchat.Bench;

/// <summary>
/// One group of receivers in a run with WebSocket clients (<see cref="BenchReport.Web"/>, <see cref="BenchReport.Tcp"/>):
/// what reached the group's clients (all but the one that stopped reading), over the time from the
/// first send to the group's own last delivery, and the latency of those deliveries.
/// </summary>
public sealed record TransportFigures
{
    public int Clients { get; init; }
    /// <summary>Senders among the group's clients.</summary>
    public int Senders { get; init; }
    public long Expected { get; init; }
    public long Received { get; init; }
    public long Lost { get; init; }
    public long Spliced { get; init; }
    /// <summary>Receive calls that returned data (for WebSocket clients: whole messages read).</summary>
    public long Reads { get; init; }
    public double DurationS { get; init; }
    public double DeliveredPerS { get; init; }
    public long P50Us { get; init; }
    public long P90Us { get; init; }
    public long P99Us { get; init; }
    public long P999Us { get; init; }
    public long MaxUs { get; init; }
}
