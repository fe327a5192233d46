using Sockchat.Bench;

namespace Sockchat.Tests.Bench;

/// <summary>
/// The generator's latency histogram (bench/README.md: "exact below 128 µs, within 1/128 above"):
/// percentiles of known recordings, the bucket arithmetic behind that precision, merging, emptiness.
/// </summary>
public sealed class LatencyHistogramTests
{
    /// <summary>True when <paramref name="reported"/> is <paramref name="exact"/> or above it by at most 1/128 of it.</summary>
    private static void AssertWithinPrecision(long exact, long reported, string what)
    {
        Assert.True(reported >= exact && reported - exact <= exact / 128,
            $"{what}: expected {exact} (+ at most {exact / 128}), got {reported}");
    }

    private static LatencyHistogram Recording(IEnumerable<long> values)
    {
        var histogram = new LatencyHistogram();
        foreach (var value in values)
        {
            histogram.Record(value);
        }
        return histogram;
    }

    [Fact]
    public void Values_below_128_microseconds_give_exact_percentiles_min_max_and_mean()
    {
        // Arrange
        var histogram = Recording(Enumerable.Range(0, 128).Select(i => (long)i));

        // Act
        var (p50, p90, p99, p100) = (histogram.ValueAtPercentile(50), histogram.ValueAtPercentile(90),
            histogram.ValueAtPercentile(99), histogram.ValueAtPercentile(100));

        // Assert: the nearest-rank percentile of 0..127 is the value at rank ceil(p% of 128).
        Assert.Equal(63, p50);
        Assert.Equal(115, p90);
        Assert.Equal(126, p99);
        Assert.Equal(127, p100);
        Assert.Equal(128, histogram.Count);
        Assert.Equal(0, histogram.Min);
        Assert.Equal(127, histogram.Max);
        Assert.Equal(63.5, histogram.Mean, precision: 9);
    }

    [Fact]
    public void Percentiles_of_one_to_a_hundred_thousand_microseconds_are_within_one_128th_and_max_is_exact()
    {
        // Arrange: every value once, shuffled, so the k-th smallest is k.
        var values = Enumerable.Range(1, 100_000).Select(i => (long)i).ToArray();
        new Random(5).Shuffle(values);
        var histogram = Recording(values);

        // Act and assert
        AssertWithinPrecision(50_000, histogram.ValueAtPercentile(50), "p50");
        AssertWithinPrecision(90_000, histogram.ValueAtPercentile(90), "p90");
        AssertWithinPrecision(99_000, histogram.ValueAtPercentile(99), "p99");
        AssertWithinPrecision(99_900, histogram.ValueAtPercentile(99.9), "p99.9");
        Assert.Equal(100_000, histogram.ValueAtPercentile(100));
        Assert.Equal(100_000, histogram.Max);
        Assert.Equal(1, histogram.Min);
        Assert.Equal(50_000.5, histogram.Mean, precision: 6);
    }

    [Fact]
    public void A_skewed_load_of_mostly_fast_and_a_few_slow_deliveries_puts_p50_p90_low_and_p99_max_high()
    {
        // Arrange: 980 deliveries at 150 µs, 15 at 2 ms, 5 at 250 ms.
        var histogram = Recording(Enumerable.Repeat(150L, 980).Concat(Enumerable.Repeat(2_000L, 15)).Concat(Enumerable.Repeat(250_000L, 5)));

        // Act and assert
        AssertWithinPrecision(150, histogram.ValueAtPercentile(50), "p50");
        AssertWithinPrecision(150, histogram.ValueAtPercentile(90), "p90");
        AssertWithinPrecision(2_000, histogram.ValueAtPercentile(99), "p99");
        Assert.Equal(250_000, histogram.ValueAtPercentile(99.9));
        Assert.Equal(250_000, histogram.Max);
    }

    [Fact]
    public void A_percentile_is_never_reported_above_the_largest_value_recorded()
    {
        // Arrange: 1_000_001 µs sits in a bucket 4096 µs wide whose top is far above it.
        var histogram = Recording([1_000_001, 1_000_001, 1_000_001]);

        // Act and assert
        Assert.Equal(1_000_001, histogram.ValueAtPercentile(50));
        Assert.Equal(1_000_001, histogram.ValueAtPercentile(100));
    }

    [Fact]
    public void Every_value_up_to_two_to_the_40_falls_in_a_bucket_that_holds_it_and_is_at_most_one_128th_wide()
    {
        var values = new List<long>();
        for (var exponent = 0; exponent <= 40; exponent++)
        {
            var power = 1L << exponent;
            values.AddRange([power - 1, power, power + 1, power + power / 3, power + power / 2 + 7, 2 * power - 1]);
        }

        var previousIndex = -1;
        foreach (var value in values.Where(v => v >= 0).Distinct().Order())
        {
            // Act
            var index = LatencyHistogram.IndexOf(value);
            var lowest = LatencyHistogram.LowestEquivalentValue(index);
            var highest = LatencyHistogram.HighestEquivalentValue(index);

            // Assert
            Assert.True(lowest <= value && value <= highest, $"{value} is outside its bucket {index} [{lowest}, {highest}]");
            Assert.True(highest - lowest <= Math.Max(0, lowest / 128), $"bucket {index} of {value} is [{lowest}, {highest}]: wider than 1/128");
            if (value < 128)
            {
                Assert.Equal(value, highest);
            }
            Assert.True(index >= previousIndex, $"{value} has index {index}, below the previous {previousIndex}");
            previousIndex = index;
        }
    }

    [Fact]
    public void The_top_of_a_bucket_reported_for_a_percentile_is_within_one_128th_of_every_value_in_it()
    {
        foreach (var value in new long[] { 128, 129, 255, 256, 257, 1_000, 4_095, 4_096, 12_345, 999_999, 60_000_000, 1L << 39 })
        {
            // Arrange: the value, then a far larger one so the top of the value's bucket is not capped by Max.
            var histogram = Recording([value, 1L << 40]);

            // Act
            var p50 = histogram.ValueAtPercentile(50);

            // Assert
            AssertWithinPrecision(value, p50, $"p50 of [{value}, 2^40]");
        }
    }

    [Fact]
    public void Negative_latencies_count_as_zero_and_values_past_the_range_are_clamped_without_losing_max()
    {
        // Arrange
        var histogram = new LatencyHistogram();

        // Act
        histogram.Record(-5);
        histogram.Record(long.MaxValue / 2);

        // Assert
        Assert.Equal(2, histogram.Count);
        Assert.Equal(0, histogram.Min);
        Assert.Equal(0, histogram.ValueAtPercentile(50));
        Assert.Equal(long.MaxValue / 2, histogram.Max);
        var topBucket = LatencyHistogram.IndexOf((1L << 41) - 1);
        Assert.Equal(topBucket, LatencyHistogram.IndexOf(long.MaxValue / 2));
        Assert.Equal(LatencyHistogram.HighestEquivalentValue(topBucket), histogram.ValueAtPercentile(100));
    }

    [Fact]
    public void Merging_two_histograms_gives_the_same_counts_percentiles_and_extremes_as_recording_everything_in_one()
    {
        // Arrange: two threads' worth of recordings with different ranges.
        var first = Enumerable.Range(1, 500).Select(i => (long)i * 3).ToArray();
        var second = Enumerable.Range(1, 700).Select(i => 10_000L + i * 97).ToArray();
        var merged = Recording(first);
        var other = Recording(second);
        var together = Recording(first.Concat(second));

        // Act
        merged.Add(other);

        // Assert
        Assert.Equal(1_200, merged.Count);
        Assert.Equal(3, merged.Min);
        Assert.Equal(10_000 + 700 * 97, merged.Max);
        Assert.Equal(together.Mean, merged.Mean, precision: 6);
        foreach (var percentile in new[] { 0, 10, 41.6, 41.7, 50, 90, 99, 99.9, 100 })
        {
            Assert.Equal(together.ValueAtPercentile(percentile), merged.ValueAtPercentile(percentile));
        }
        // 500 of the 1200 are the first histogram's: p41.6 is its largest, p41.7 the second's smallest.
        AssertWithinPrecision(1_500, merged.ValueAtPercentile(41.6), "p41.6");
        AssertWithinPrecision(10_097, merged.ValueAtPercentile(41.7), "p41.7");
        Assert.Equal(700, other.Count); // the histogram merged from is left as it was
    }

    [Fact]
    public void Merging_an_empty_histogram_changes_nothing_and_merging_into_an_empty_one_copies()
    {
        // Arrange
        var recorded = Recording([10, 20, 30_000]);
        var empty = new LatencyHistogram();
        var copy = new LatencyHistogram();

        // Act
        recorded.Add(empty);
        copy.Add(recorded);

        // Assert
        foreach (var histogram in new[] { recorded, copy })
        {
            Assert.Equal(3, histogram.Count);
            Assert.Equal(10, histogram.Min);
            Assert.Equal(30_000, histogram.Max);
            Assert.Equal(20, histogram.ValueAtPercentile(50));
            Assert.Equal(30_000, histogram.ValueAtPercentile(99));
        }
    }

    [Fact]
    public void An_empty_histogram_reports_zero_for_every_percentile_the_mean_and_max()
    {
        // Arrange
        var histogram = new LatencyHistogram();
        histogram.Add(new LatencyHistogram());

        // Act and assert
        Assert.Equal(0, histogram.Count);
        Assert.Equal(0, histogram.Max);
        Assert.Equal(0, histogram.Mean);
        foreach (var percentile in new[] { 0, 50, 90, 99, 99.9, 100 })
        {
            Assert.Equal(0, histogram.ValueAtPercentile(percentile));
        }
    }

    [Fact]
    public void The_99_9th_percentile_of_a_thousand_values_is_the_999th_smallest_not_the_largest()
    {
        // Arrange: 999 deliveries at 100 µs and one outlier at 50 ms; 99.9 % of 1000 is 999 of them.
        var histogram = Recording(Enumerable.Repeat(100L, 999).Append(50_000));

        // Act
        var p999 = histogram.ValueAtPercentile(99.9);

        // Assert
        Assert.Equal(100, p999);
    }
}
