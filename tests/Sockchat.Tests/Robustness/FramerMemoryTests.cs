using System.IO.Pipelines;
using Sockchat.Protocol;
using Xunit.Abstractions;

namespace Sockchat.Tests.Robustness;

/// <summary>A peer that never sends a newline cannot make the framer (and the pipe behind it) hold its bytes.</summary>
[Collection(RobustnessSerialCollection.Name)]
public sealed class FramerMemoryTests(ITestOutputHelper output)
{
    private const int ChunkBytes = 64 * 1024;
    private const long TotalBytes = 50L * 1024 * 1024;
    private const long AllowedGrowth = 4L * 1024 * 1024;

    [Fact(Timeout = 30000)]
    public async Task Fifty_megabytes_without_a_newline_go_through_the_framer_in_64_KiB_reads_without_memory_growing()
    {
        // Arrange: the read loop's shape, a pipe read once per write and advanced past what the framer consumed.
        var framer = new LineFramer(ProtocolLimits.DefaultMaxLineBytes);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        var chunk = new byte[ChunkBytes];
        Array.Fill(chunk, (byte)'x');
        var tooLong = 0;
        var mostKept = 0L;
        var before = GC.GetTotalMemory(forceFullCollection: true);

        // Act
        for (long fed = 0; fed < TotalBytes; fed += ChunkBytes)
        {
            await pipe.Writer.WriteAsync(chunk);
            var result = await pipe.Reader.ReadAsync();
            var buffer = result.Buffer;
            while (framer.TryReadLine(ref buffer, out _) is var found && found != FrameResult.NeedMore)
            {
                tooLong += found == FrameResult.TooLong ? 1 : 0;
            }
            mostKept = Math.Max(mostKept, buffer.Length);
            pipe.Reader.AdvanceTo(buffer.Start, buffer.End);
        }
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(pipe);

        // Assert
        output.WriteLine($"managed heap before {before / 1024} KiB, after {after / 1024} KiB; at most {mostKept} bytes kept between reads");
        Assert.Equal(1, tooLong);
        Assert.Equal(TotalBytes, framer.DiscardedBytes);
        Assert.True(mostKept <= framer.MaxLineBytes + 1, $"the framer kept {mostKept} bytes between reads");
        Assert.True(after - before < AllowedGrowth, $"the managed heap grew by {(after - before) / 1024} KiB while framing 50 MB with no newline");
        await pipe.Writer.CompleteAsync();
        await pipe.Reader.CompleteAsync();
    }
}
