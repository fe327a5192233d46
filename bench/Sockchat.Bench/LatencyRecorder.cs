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

    public LatencyRecorder()
        : this(Stopwatch.GetTimestamp())
    {
    }

    /// <summary>A recorder on another's clock (<paramref name="baseTicks"/> = its <see cref="BaseTicks"/>): one group of receivers of the same payloads.</summary>
    public LatencyRecorder(long baseTicks) => BaseTicks = baseTicks;

    public long BaseTicks { get; }

    /// <summary>Now, in the ticks payloads carry.</summary>
    public long Now() => Stopwatch.GetTimestamp() - BaseTicks;

    public void Record(long sentTicks, long receivedTicks) =>
        _histograms.Value!.Record((long)((receivedTicks - sentTicks) * MicrosPerTick));

    public static double ToSeconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    public LatencyHistogram Merge() => Merge([this]);

    /// <summary>One histogram of everything <paramref name="recorders"/> recorded.</summary>
    public static LatencyHistogram Merge(IEnumerable<LatencyRecorder> recorders)
    {
        var all = new LatencyHistogram();
        foreach (var recorder in recorders)
        {
            foreach (var histogram in recorder._histograms.Values)
            {
                all.Add(histogram);
            }
        }
        return all;
    }

    public void Dispose() => _histograms.Dispose();
}
