using Sockchat.Server;

namespace Sockchat.Tests.Server;

/// <summary>The per-session queue: bounded in bytes, never waiting, the limit released as bytes leave.</summary>
public sealed class OutboxTests
{
    private static ReadOnlyMemory<byte> Bytes(int count) => new byte[count];

    [Fact]
    public void Frames_are_queued_until_the_byte_limit_and_then_refused_as_full()
    {
        // Arrange
        var outbox = new Outbox(maxBytes: 100);

        // Act
        var first = outbox.TryEnqueue(Bytes(60));
        var second = outbox.TryEnqueue(Bytes(40));
        var third = outbox.TryEnqueue(Bytes(1));

        // Assert
        Assert.Equal((EnqueueResult.Queued, EnqueueResult.Queued, EnqueueResult.Full), (first, second, third));
        Assert.Equal(100, outbox.QueuedBytes);
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
