using System.Text;
using BenchmarkDotNet.Attributes;
using Sockchat.Protocol;

namespace Sockchat.Benchmarks;

/// <summary>Parsing a client frame and formatting a server frame: ns and bytes allocated per operation.</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private static readonly string SayLine = """{"type":"say","room":"general","text":"the quick brown fox jumps over the lazy dog 0123456789abcdef","id":"42"}""";
    private static readonly string TextLine = "the quick brown fox jumps over the lazy dog 0123456789abcdef";
    private static readonly MsgFrame Message = new("general", 12345, DateTimeOffset.UnixEpoch, "alice", "the quick brown fox jumps over the lazy dog 0123456789abcdef");
    private static readonly byte[] SayBytes = Encoding.UTF8.GetBytes(SayLine);
    private readonly TextRenderer _renderer = new(TimeZoneInfo.Utc);

    [Benchmark]
    public ClientFrame ParseJsonSay() => JsonCodec.ParseClientFrame(SayLine);

    /// <summary>As the server can parse a line: straight from its UTF-8 bytes, with no string of the whole line.</summary>
    [Benchmark]
    public ClientFrame ParseJsonSayBytes() => JsonCodec.ParseClientFrame(SayBytes);

    [Benchmark]
    public ClientFrame ParseTextLine() => TextCommands.Parse(TextLine);

    [Benchmark]
    public string DecodeAndClean() => TextSanitizer.Clean(TextSanitizer.Decode(new System.Buffers.ReadOnlySequence<byte>(SayBytes)));

    [Benchmark]
    public byte[] FormatJsonMsg() => JsonCodec.Encode(Message);

    [Benchmark]
    public IReadOnlyList<string> FormatTextMsg() => _renderer.Render(Message, showRoom: false);
}
