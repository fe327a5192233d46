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
    public void With_rooms_a_receiver_counts_its_own_rooms_senders_and_a_message_of_another_room_as_misrouted()
    {
        // Arrange: 6 senders x 3 messages over 3 rooms (sender s posts into room s mod 3); two members each of rooms 1 and 2.
        var trackers = new[] { 1, 1, 2, 2 }.Select(room => new DeliveryTracker(senders: 6, messages: 3, exact: true, rooms: 3, room: room)).ToArray();

        // Act: room 1's senders (1 and 4) reach room 1's members; room 2's (2 and 5) reach room 2's; sender 1's
        // message 0 reaches a member of room 2 as well, and sender 0 (room 0) leaks into room 1.
        foreach (var sender in new[] { 1, 4, 2, 5 })
        {
            foreach (var tracker in sender % 3 == 1 ? trackers[..2] : trackers[2..])
            {
                for (var seq = 0; seq < 3; seq++)
                {
                    Assert.Equal(DeliveryOutcome.New, tracker.Record(sender, seq));
                }
            }
        }
        var leakToRoom2 = trackers[2].Record(1, 0);
        var leakToRoom1 = trackers[0].Record(0, 2);
        var twice = trackers[1].Record(4, 1);

        // Assert
        Assert.Equal(DeliveryOutcome.Misrouted, leakToRoom2);
        Assert.Equal(DeliveryOutcome.Misrouted, leakToRoom1);
        Assert.Equal(DeliveryOutcome.Duplicate, twice);
        Assert.All(trackers, t => Assert.Equal(2 * 3, t.Unique)); // each member got its room's 2 senders x 3 messages, no more
        Assert.Equal([1, 1, 1, 0], trackers.Select(t => t.Duplicated));
        Assert.Equal([1, 0, 1, 0], trackers.Select(t => t.Misrouted));
        Assert.All(trackers, t => Assert.Equal(0, t.Reordered));
    }

    [Fact]
    public void A_misrouted_message_takes_no_place_of_its_own_rooms_and_an_unknown_sender_is_still_unknown()
    {
        // Arrange
        var tracker = new DeliveryTracker(senders: 4, messages: 2, exact: true, rooms: 2, room: 0);

        // Act
        DeliveryOutcome[] outcomes =
        [
            tracker.Record(1, 0),   // room 1's sender
            tracker.Record(1, 0),   // again: misrouted again, never a duplicate of a message it should have had
            tracker.Record(2, 0),   // room 0's
            tracker.Record(4, 0),   // no such sender
            tracker.Record(0, 2),   // past the last sequence
        ];

        // Assert
        Assert.Equal([DeliveryOutcome.Misrouted, DeliveryOutcome.Misrouted, DeliveryOutcome.New, DeliveryOutcome.Unknown, DeliveryOutcome.Unknown], outcomes);
        Assert.Equal(1, tracker.Unique);
        Assert.Equal(2, tracker.Misrouted);
        Assert.Equal(2, tracker.Duplicated);
    }

    [Fact]
    public void One_room_is_every_sender_and_a_room_outside_the_rooms_is_refused()
    {
        var tracker = new DeliveryTracker(senders: 3, messages: 1, exact: true, rooms: 1, room: 0);
        Assert.All(new[] { 0, 1, 2 }, sender => Assert.Equal(DeliveryOutcome.New, tracker.Record(sender, 0)));
        Assert.Equal(0, tracker.Misrouted);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeliveryTracker(3, 1, true, rooms: 2, room: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeliveryTracker(3, 1, true, rooms: 0, room: 0));
    }

    [Fact]
    public void A_tracker_for_a_run_with_no_messages_knows_no_sequence()
    {
        var tracker = new DeliveryTracker(senders: 3, messages: 0, exact: true);

        Assert.Equal(DeliveryOutcome.Unknown, tracker.Record(0, 0));
        Assert.Equal(0, tracker.Unique);
    }
}
