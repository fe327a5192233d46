namespace Sockchat.Bench;

/// <summary>
/// A log-linear histogram of latencies in microseconds, in the manner of HdrHistogram: values
/// below 128 µs are counted exactly; above that every power of two is split into 128 equal
/// buckets, so any recorded value is known to within 1/128 (0.8 %). Fixed size (about 36 KiB),
/// no allocation per record. Not thread-safe: the generator keeps one per thread and merges them.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBucketCount = 1 << SubBucketBits;

    /// <summary>The largest exponent kept: values up to 2^41 µs (about 25 days) are recorded; larger ones are clamped.</summary>
    private const int MaxExponent = 40;

    private readonly long[] _counts = new long[SubBucketCount + (MaxExponent - SubBucketBits + 1) * SubBucketCount];

    public long Count { get; private set; }

    public long Max { get; private set; }

    public long Min { get; private set; } = long.MaxValue;

    public double Mean => Count == 0 ? 0 : _sum / Count;

    private double _sum;

    public void Record(long micros)
    {
        if (micros < 0)
        {
            micros = 0;
        }
        _counts[IndexOf(micros)]++;
        Count++;
        _sum += micros;
        if (micros > Max)
        {
            Max = micros;
        }
        if (micros < Min)
        {
            Min = micros;
        }
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }
        Count += other.Count;
        _sum += other._sum;
        Max = Math.Max(Max, other.Max);
        Min = Math.Min(Min, other.Min);
    }

    /// <summary>
    /// The value at or below which <paramref name="percentile"/> per cent of the recordings fall,
    /// reported as the top of its bucket (never above the largest value recorded); 0 when empty.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }
        // In decimal: in doubles 99.9 / 100 * 1000 is 999.0000000000001, which would round up a whole rank.
        var rank = (long)Math.Ceiling((decimal)Math.Clamp(percentile, 0, 100) * Count / 100m);
        rank = Math.Max(1, rank);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(HighestEquivalentValue(i), Max);
            }
        }
        return Max;
    }

    public static int IndexOf(long value)
    {
        if (value < SubBucketCount)
        {
            return (int)value;
        }
        var exponent = 63 - (int)long.LeadingZeroCount(value);
        if (exponent > MaxExponent)
        {
            return SubBucketCount + (MaxExponent - SubBucketBits + 1) * SubBucketCount - 1;
        }
        var shift = exponent - SubBucketBits;
        var subBucket = (int)(value >> shift) - SubBucketCount;
        return SubBucketCount + shift * SubBucketCount + subBucket;
    }

    public static long LowestEquivalentValue(int index)
    {
        if (index < SubBucketCount)
        {
            return index;
        }
        var shift = (index - SubBucketCount) / SubBucketCount;
        var subBucket = (index - SubBucketCount) % SubBucketCount + SubBucketCount;
        return (long)subBucket << shift;
    }

    public static long HighestEquivalentValue(int index)
    {
        if (index < SubBucketCount)
        {
            return index;
        }
        var shift = (index - SubBucketCount) / SubBucketCount;
        return LowestEquivalentValue(index) + (1L << shift) - 1;
    }
}
