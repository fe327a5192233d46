using System.Buffers;
using System.Text;
using Microsoft.Extensions.Time.Testing;
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
    public void Written_bytes_make_room_again()
    {
        // Arrange
        var outbox = new Outbox(maxBytes: 100);
        outbox.TryEnqueue(Bytes(100));
        var sink = new ArrayBufferWriter<byte>();
        Assert.Equal(TakeResult.Taken, outbox.TryTake(sink, 1024, out var taken));

        // Act
        outbox.FinishWriting(taken);

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
        Assert.Equal(TakeResult.Empty, outbox.TryTake(new ArrayBufferWriter<byte>(), 1024, out _));
    }

    [Fact]
    public void Taking_copies_every_queued_frame_in_order_into_one_write()
    {
        // Arrange
        var outbox = new Outbox(maxBytes: 100);
        outbox.TryEnqueue("one\n"u8.ToArray());
        outbox.TryEnqueue("two\n"u8.ToArray());
        var sink = new ArrayBufferWriter<byte>();

        // Act
        var result = outbox.TryTake(sink, 1024, out var taken);

        // Assert
        Assert.Equal(TakeResult.Taken, result);
        Assert.Equal(8, taken);
        Assert.Equal("one\ntwo\n", Encoding.UTF8.GetString(sink.WrittenSpan));
    }

    [Fact]
    public void A_socket_that_takes_nothing_keeps_the_time_its_wait_began()
    {
        // Arrange
        var clock = new ManualClock();
        var outbox = new Outbox(maxBytes: 100, clock);
        outbox.WriteBlocked(progressed: false);
        clock.Advance(Outbox.StallGrace);

        // Act: blocked again without progress, then past the grace
        outbox.WriteBlocked(progressed: false);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var over = outbox.TryEnqueue(Bytes(101));

        // Assert
        Assert.Equal(EnqueueResult.Full, over);
    }

    [Theory]
    [InlineData(150, 1500, true)]
    [InlineData(150, 500, false)]
    [InlineData(100, 1500, false)]
    public void A_queue_counts_as_not_read_only_past_its_limit_with_the_socket_stuck_past_the_grace(int queued, int stuckMs, bool expected)
    {
        // Arrange: what the session's watchdog asks once a burst is over and no new frame would
        var clock = new ManualClock();
        var outbox = new Outbox(maxBytes: 100, clock);
        outbox.TryEnqueue(Bytes(queued));
        outbox.WriteBlocked(progressed: false);

        // Act
        clock.Advance(TimeSpan.FromMilliseconds(stuckMs));

        // Assert
        Assert.Equal(expected, outbox.IsStalledOverLimit);
    }

    [Fact]
    public void A_socket_that_took_some_bytes_restarts_the_wait()
    {
        // Arrange
        var clock = new ManualClock();
        var outbox = new Outbox(maxBytes: 100, clock);
        outbox.WriteBlocked(progressed: false);
        clock.Advance(Outbox.StallGrace);

        // Act
        outbox.WriteBlocked(progressed: true);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var over = outbox.TryEnqueue(Bytes(101));

        // Assert: past the limit but within the burst allowance, and not stalled
        Assert.Equal(EnqueueResult.Queued, over);
    }

    [Fact]
    public void A_long_write_that_keeps_making_progress_never_counts_as_not_reading()
    {
        // Arrange: one write far bigger than the limit, which the client takes a slice at a time, for ten grace periods in all.
        var clock = new FakeTimeProvider();
        var outbox = new Outbox(maxBytes: 100, clock);
        outbox.TryEnqueue(Bytes(700));
        outbox.WriteBlocked(progressed: false);

        // Act
        var stalled = new List<bool>();
        for (var i = 0; i < 10; i++)
        {
            clock.Advance(Outbox.StallGrace * 0.9);
            outbox.WriteProgressed();
            stalled.Add(outbox.IsStalledOverLimit);
        }
        clock.Advance(Outbox.StallGrace + TimeSpan.FromMilliseconds(1));

        // Assert: then the client stops taking bytes, and after the grace it is not reading.
        Assert.All(stalled, Assert.False);
        Assert.True(outbox.IsStalledOverLimit);
    }

    [Fact]
    public void A_completed_queue_is_finished_only_once_drained()
    {
        // Arrange
        var outbox = new Outbox(maxBytes: 100);
        outbox.TryEnqueue(Bytes(10));
        outbox.Complete();

        // Act
        var first = outbox.TryTake(new ArrayBufferWriter<byte>(), 1024, out var taken);
        outbox.FinishWriting(taken);
        var second = outbox.TryTake(new ArrayBufferWriter<byte>(), 1024, out _);

        // Assert
        Assert.Equal(TakeResult.Taken, first);
        Assert.Equal(TakeResult.Finished, second);
        Assert.True(outbox.WaitAsync().IsCompleted);
    }

    [Fact(Timeout = 5000)]
    public async Task A_parked_write_loop_is_woken_by_the_next_frame_and_not_before()
    {
        // Arrange
        var outbox = new Outbox(maxBytes: 100);
        var waiting = outbox.WaitAsync();
        var beforeFrame = waiting.IsCompleted;

        // Act
        outbox.TryEnqueue(Bytes(1));
        await waiting;

        // Assert
        Assert.False(beforeFrame);
        Assert.Equal(TakeResult.Taken, outbox.TryTake(new ArrayBufferWriter<byte>(), 1024, out var taken));
        Assert.Equal(1, taken);
    }

    [Fact]
    public void A_write_loop_with_bytes_queued_does_not_park()
    {
        // Arrange
        var outbox = new Outbox(maxBytes: 100);
        outbox.TryEnqueue(Bytes(3));

        // Act
        var waiting = outbox.WaitAsync();

        // Assert
        Assert.True(waiting.IsCompleted);
    }
}
