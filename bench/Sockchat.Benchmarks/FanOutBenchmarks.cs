using System.Buffers;
using BenchmarkDotNet.Attributes;
using Sockchat.Protocol;
using Sockchat.Server;

namespace Sockchat.Benchmarks;

/// <summary>
/// The cost of one broadcast to 1000 members, without sockets: the frame is encoded once
/// (<see cref="OutboundFrame"/>) and the same bytes are offered to 1000 outboxes, as
/// <c>Room.Broadcast</c> does. The outboxes are drained between operations so they never fill.
/// </summary>
[MemoryDiagnoser]
public class FanOutBenchmarks
{
    private const int Members = 1000;
    private readonly TextRenderer _renderer = new(TimeZoneInfo.Utc);
    private Outbox[] _outboxes = [];
    private long _seq;

    [GlobalSetup]
    public void Setup() => _outboxes = Enumerable.Range(0, Members).Select(_ => new Outbox(64 * 1024 * 1024)).ToArray();

    [Benchmark(OperationsPerInvoke = 1)]
    public int BroadcastOnceToThousand()
    {
        var frame = new OutboundFrame(new MsgFrame("general", ++_seq, DateTimeOffset.UnixEpoch, "alice", "hello everyone, this is a 64-byte-ish line of chat text"), _renderer);
        var bytes = frame.Json;
        var queued = 0;
        foreach (var outbox in _outboxes)
        {
            // Queued as a stored batch queues it: each enqueue wakes the (here absent) write loop.
            if (outbox.TryEnqueue(bytes) == EnqueueResult.Queued)
            {
                queued++;
            }
        }
        return queued;
    }

    [IterationCleanup]
    public void Drain()
    {
        var sink = new ArrayBufferWriter<byte>();
        foreach (var outbox in _outboxes)
        {
            while (outbox.TryTake(sink, long.MaxValue, out var taken) == TakeResult.Taken)
            {
                outbox.FinishWriting(taken);
                sink.ResetWrittenCount();
            }
        }
    }
}
