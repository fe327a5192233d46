using System.Diagnostics;

namespace Sockchat.Bench;

/// <summary>
/// Collects delivery latencies from every receive loop without locks: one
/// <see cref="LatencyHistogram"/> per thread, merged when the run ends.
/// Timestamps are Stopwatch ticks relative to <see cref="BaseTicks"/>, which keeps them short in payloads.
/// </summary>
public sealed class LatencyRecorder : IDisposable
{
    private static readonly double MicrosPerTick = 1_000_000.0 / Stopwatch.Frequency;

    private readonly ThreadLocal<LatencyHistogram> _histograms = new(() => new LatencyHistogram(), trackAllValues: true);

    public long BaseTicks { get; } = Stopwatch.GetTimestamp();

    /// <summary>Now, in the ticks payloads carry.</summary>
    public long Now() => Stopwatch.GetTimestamp() - BaseTicks;

    public void Record(long sentTicks, long receivedTicks) =>
        _histograms.Value!.Record((long)((receivedTicks - sentTicks) * MicrosPerTick));

    public static double ToSeconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    public LatencyHistogram Merge()
    {
        var all = new LatencyHistogram();
        foreach (var histogram in _histograms.Values)
        {
            all.Add(histogram);
        }
        return all;
    }

    public void Dispose() => _histograms.Dispose();
}
