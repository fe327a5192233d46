using System.Buffers;
using System.IO.Pipelines;
using Sockchat.Protocol;

namespace Sockchat.Tests.Protocol;

/// <summary>One thing the framer reported: a decoded line, or that a line was too long.</summary>
internal sealed record Framed(FrameResult Result, string? Text = null)
{
    public static Framed Line(string text) => new(FrameResult.Line, text);

    public static Framed TooLong { get; } = new(FrameResult.TooLong);
}

/// <summary>
/// Drives a <see cref="LineFramer"/> the way a connection's read loop does: each chunk is one
/// read, appended (as a new segment) to whatever the framer left unconsumed, and the buffer is
/// drained until <see cref="FrameResult.NeedMore"/>.
/// </summary>
internal sealed class FramerHarness(LineFramer framer)
{
    private readonly List<byte[]> _unconsumed = [];

    public List<Framed> Reported { get; } = [];

    /// <summary>The most bytes the read loop ever had to keep between reads.</summary>
    public long PeakRetainedBytes { get; private set; }

    public long RetainedBytes => _unconsumed.Sum(s => (long)s.Length);

    public FramerHarness Read(byte[] chunk)
    {
        var buffer = Segments.Of([.. _unconsumed, chunk]);
        Drain(framer, ref buffer, Reported);
        _unconsumed.Clear();
        foreach (var memory in buffer)
        {
            _unconsumed.Add(memory.ToArray());
        }
        PeakRetainedBytes = Math.Max(PeakRetainedBytes, RetainedBytes);
        return this;
    }

    public FramerHarness ReadAll(IEnumerable<byte[]> chunks)
    {
        foreach (var chunk in chunks)
        {
            Read(chunk);
        }
        return this;
    }

    /// <summary>Takes every complete line off the buffer, decoding each before the buffer moves on.</summary>
    public static void Drain(LineFramer framer, ref ReadOnlySequence<byte> buffer, List<Framed> reported)
    {
        while (true)
        {
            switch (framer.TryReadLine(ref buffer, out var line))
            {
                case FrameResult.NeedMore:
                    return;
                case FrameResult.Line:
                    reported.Add(Framed.Line(TextSanitizer.Decode(line)));
                    break;
                case FrameResult.TooLong:
                    reported.Add(Framed.TooLong);
                    break;
            }
        }
    }

    /// <summary>
    /// The same, through a real <see cref="Pipe"/>: each chunk is written and flushed, then read
    /// once and drained, and the reader is advanced past what the framer consumed.
    /// </summary>
    public static async Task<List<Framed>> ThroughPipeAsync(LineFramer framer, IEnumerable<byte[]> chunks)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        var reported = new List<Framed>();
        foreach (var chunk in chunks)
        {
            await pipe.Writer.WriteAsync(chunk);
            var result = await pipe.Reader.ReadAsync();
            var buffer = result.Buffer;
            Drain(framer, ref buffer, reported);
            pipe.Reader.AdvanceTo(buffer.Start, buffer.End);
        }
        await pipe.Writer.CompleteAsync();
        await pipe.Reader.CompleteAsync();
        return reported;
    }
}
