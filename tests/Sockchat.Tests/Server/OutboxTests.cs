using Sockchat.Server;

namespace Sockchat.Tests.Server;

/// <summary>The per-session queue: bounded in bytes, never waiting, the limit released as bytes leave.</summary>
public sealed class OutboxTests
{
    private static ReadOnlyMemory<byte> Bytes(int count) => new byte[count];

    [Fact]
    public void A_queue_whose_socket_write_is_stuck_is_refused_past_its_byte_limit()
    {
        // Arrange
        var clock = new ManualClock();
        var outbox = new Outbox(maxBytes: 100, clock);
        outbox.TryEnqueue(Bytes(60));
        outbox.TryEnqueue(Bytes(40));
        outbox.WriteStarted();
        clock.Advance(Outbox.StallGrace + TimeSpan.FromMilliseconds(1));

        // Act
        var over = outbox.TryEnqueue(Bytes(1));

        // Assert
        Assert.Equal(EnqueueResult.Full, over);
        Assert.Equal(100, outbox.QueuedBytes);
    }

    [Fact]
    public void A_queue_that_is_draining_absorbs_a_burst_up_to_a_few_times_its_limit()
    {
        // Arrange
        var clock = new ManualClock();
        var outbox = new Outbox(maxBytes: 100, clock);

        // Act: a burst arrives all at once, before the write loop had a turn
        var results = Enumerable.Range(0, Outbox.BurstFactor * 10 + 1).Select(_ => outbox.TryEnqueue(Bytes(10))).ToList();

        // Assert
        Assert.All(results.Take(Outbox.BurstFactor * 10), r => Assert.Equal(EnqueueResult.Queued, r));
        Assert.Equal(EnqueueResult.Full, results[^1]);
        Assert.Equal(100 * Outbox.BurstFactor, outbox.QueuedBytes);
    }

    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    [Fact]
    public void Released_bytes_make_room_again()
    {
        // Arrange
        var outbox = new Outbox(maxBytes: 100);
        outbox.TryEnqueue(Bytes(100));
        Assert.True(outbox.Reader.TryRead(out var written));

        // Act
        outbox.Release(written.Length);

        // Assert
        Assert.Equal(0, outbox.QueuedBytes);
        Assert.Equal(EnqueueResult.Queued, outbox.TryEnqueue(Bytes(100)));
    }

    [Fact]
    public void A_final_frame_may_pass_the_limit()
    {
        // Arrange
        var outbox = new Outbox(maxBytes: 10);
        outbox.TryEnqueue(Bytes(10));

        // Act
        var result = outbox.TryEnqueue(Bytes(5), ignoreLimit: true);

        // Assert
        Assert.Equal(EnqueueResult.Queued, result);
        Assert.Equal(15, outbox.QueuedBytes);
    }

    [Fact]
    public void After_completion_frames_are_refused_as_closed_and_not_counted()
    {
        // Arrange
        var outbox = new Outbox(maxBytes: 100);
        outbox.Complete();

        // Act
        var result = outbox.TryEnqueue(Bytes(10));

        // Assert
        Assert.Equal(EnqueueResult.Closed, result);
        Assert.Equal(0, outbox.QueuedBytes);
    }

    [Fact]
    public void An_empty_frame_is_accepted_and_queues_nothing()
    {
        // Arrange
        var outbox = new Outbox(maxBytes: 1);

        // Act
        var result = outbox.TryEnqueue(ReadOnlyMemory<byte>.Empty);

        // Assert
        Assert.Equal(EnqueueResult.Queued, result);
        Assert.False(outbox.Reader.TryRead(out _));
    }
}
