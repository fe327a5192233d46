using Sockchat.Bench;

namespace Sockchat.Tests.Bench;

/// <summary>One receiver's account of deliveries: unique, duplicated, reordered, and (what the report derives) lost.</summary>
public sealed class DeliveryTrackerTests
{
    [Fact]
    public void A_crafted_arrival_order_is_counted_as_the_right_unique_duplicated_reordered_and_lost()
    {
        // Arrange: 3 senders x 4 messages = 12 expected at this receiver.
        var tracker = new DeliveryTracker(senders: 3, messages: 4, exact: true);
        (int Sender, long Sequence, DeliveryOutcome Outcome)[] arrivals =
        [
            (0, 0, DeliveryOutcome.New),
            (0, 1, DeliveryOutcome.New),
            (0, 3, DeliveryOutcome.New),
            (0, 2, DeliveryOutcome.Reordered),   // after 3
            (0, 2, DeliveryOutcome.Duplicate),
            (0, 0, DeliveryOutcome.Duplicate),
            (1, 1, DeliveryOutcome.New),         // each sender has its own order
            (1, 0, DeliveryOutcome.Reordered),
            (1, 1, DeliveryOutcome.Duplicate),
            (2, 3, DeliveryOutcome.New),         // 2.0, 2.1, 2.2 and nothing else are lost
            (3, 0, DeliveryOutcome.Unknown),     // no such sender
            (-1, 0, DeliveryOutcome.Unknown),
            (0, 4, DeliveryOutcome.Unknown),     // past the last sequence
            (0, -1, DeliveryOutcome.Unknown),
        ];

        // Act
        var outcomes = arrivals.Select(a => tracker.Record(a.Sender, a.Sequence)).ToArray();

        // Assert
        for (var i = 0; i < arrivals.Length; i++)
        {
            Assert.True(arrivals[i].Outcome == outcomes[i],
                $"arrival {i} ({arrivals[i].Sender}.{arrivals[i].Sequence}): expected {arrivals[i].Outcome}, got {outcomes[i]}");
        }
        Assert.Equal(7, tracker.Unique);
        Assert.Equal(3, tracker.Duplicated);
        Assert.Equal(2, tracker.Reordered);
        Assert.Equal(5, 3 * 4 - tracker.Unique); // lost, as the report computes it: expected - received
    }

    [Fact]
    public void Every_message_once_in_order_is_all_new_with_nothing_duplicated_reordered_or_lost()
    {
        // Arrange
        var tracker = new DeliveryTracker(senders: 2, messages: 50, exact: true);

        // Act: two senders interleaved, each in its own order.
        var outcomes = Enumerable.Range(0, 50)
            .SelectMany(seq => new[] { tracker.Record(0, seq), tracker.Record(1, seq) })
            .ToArray();

        // Assert
        Assert.All(outcomes, o => Assert.Equal(DeliveryOutcome.New, o));
        Assert.Equal(100, tracker.Unique);
        Assert.Equal(0, tracker.Duplicated);
        Assert.Equal(0, tracker.Reordered);
    }

    [Fact]
    public void Duplicates_are_caught_on_both_sides_of_every_64_message_word_boundary()
    {
        // Arrange
        var tracker = new DeliveryTracker(senders: 1, messages: 200, exact: true);
        long[] sequences = [0, 63, 64, 65, 127, 128, 191, 192, 199];

        // Act
        var first = sequences.Select(s => tracker.Record(0, s)).ToArray();
        var second = sequences.Select(s => tracker.Record(0, s)).ToArray();
        var neighbours = new[] { tracker.Record(0, 62), tracker.Record(0, 129), tracker.Record(0, 198) };

        // Assert
        Assert.All(first, o => Assert.Equal(DeliveryOutcome.New, o));
        Assert.All(second, o => Assert.Equal(DeliveryOutcome.Duplicate, o));
        Assert.All(neighbours, o => Assert.Equal(DeliveryOutcome.Reordered, o));
        Assert.Equal(sequences.Length + 3, tracker.Unique);
        Assert.Equal(sequences.Length, tracker.Duplicated);
        Assert.Equal(3, tracker.Reordered);
    }

    [Fact]
    public void Without_exact_tracking_a_sequence_at_or_below_the_highest_seen_counts_as_reordered()
    {
        // Arrange
        var tracker = new DeliveryTracker(senders: 2, messages: 10, exact: false);

        // Act
        DeliveryOutcome[] outcomes =
        [
            tracker.Record(0, 5),
            tracker.Record(0, 3),
            tracker.Record(0, 5),
            tracker.Record(1, 0),
            tracker.Record(0, 9),
            tracker.Record(0, 10),
        ];

        // Assert
        Assert.Equal(
            [DeliveryOutcome.New, DeliveryOutcome.Reordered, DeliveryOutcome.Reordered, DeliveryOutcome.New, DeliveryOutcome.New, DeliveryOutcome.Unknown],
            outcomes);
        Assert.Equal(0, tracker.Duplicated);
        Assert.Equal(2, tracker.Reordered);
    }

    [Fact]
    public void A_tracker_for_a_run_with_no_messages_knows_no_sequence()
    {
        var tracker = new DeliveryTracker(senders: 3, messages: 0, exact: true);

        Assert.Equal(DeliveryOutcome.Unknown, tracker.Record(0, 0));
        Assert.Equal(0, tracker.Unique);
    }
}
