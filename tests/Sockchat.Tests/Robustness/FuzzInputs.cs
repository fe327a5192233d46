using System.Text;
using Sockchat.Protocol;

namespace Sockchat.Tests.Robustness;

/// <summary>
/// Inputs for the fuzzers: corpora of valid lines in each dialect, every single-byte mutation of
/// them, random multi-step mutations, random bytes and random UTF-8, and hand-picked nasty cases
/// (deep nesting, huge numbers, NULs, escape sequences, invalid and over-long UTF-8).
/// </summary>
internal static class FuzzInputs
{
    /// <summary>Bytes worth trying more often than chance would: structure, line ends, controls, UTF-8 lead and continuation bytes.</summary>
    private static readonly byte[] Interesting =
        [0x00, 0x07, 0x09, 0x0A, 0x0D, 0x1B, 0x20, (byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)':', (byte)',',
         (byte)'/', (byte)'u', (byte)'0', (byte)'9', (byte)'-', (byte)'e', 0x7F, 0x80, 0x9B, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF8, 0xFF];

    private static readonly DateTimeOffset Ts = new(2026, 11, 22, 10, 15, 30, 123, TimeSpan.Zero);

    public static IReadOnlyList<string> ClientLines { get; } =
    [
        .. new ClientFrame[]
        {
            new HelloFrame("alice", null, null, true, null),
            new HelloFrame("José", "#Dev", "secret", false, new Dictionary<string, long> { ["general"] = 41, ["dev"] = 7 }),
            new SayFrame(null, "hello there", null),
            new SayFrame("dev", "hi \ud83d\ude00 \u00e9", FrameId.FromString("abc-1"), Action: true),
            new SayFrame(null, "n", new FrameId("42")),
            new DmFrame("bob", "psst", FrameId.FromString("d1")),
            new JoinFrame("#dev", 12),
            new PartFrame("dev"),
            new PartFrame(null),
            new NickFrame("al"),
            new WhoFrame("general"),
            new RoomsFrame(),
            new HistoryFrame("general", 10, null, 50),
            new HistoryFrame(null, null, 3, null),
            new PingFrame(FrameId.FromString("p")),
            new PongReplyFrame(FrameId.FromString("keepalive")),
            new QuitFrame("bye"),
            new UnknownFrame("dance", new FrameId("7")),
        }.Select(f => Encoding.UTF8.GetString(JsonCodec.Encode(f)).TrimEnd('\n')),
        """{"type":"say","text":"\u001b[31mred\u001b[0m \u001b]0;title\u0007 \u202eevil"}""",
        """{"type":"say","text":"\ud800 lone","id":"x"}""",
        """{"type":"say","text":"\udc00\ud800 reversed"}""",
        """{"type":"say","text":"nul \u0000 inside"}""",
        """{"type":"history","limit":1e400,"before":-9223372036854775809}""",
        """{"type":"say","text":"x","id":123456789012345678901234567890}""",
        """{"type":"say","text":"x","id":{"nested":[1,2,3]}}""",
        """{"type":"hello","name":"a","presence":"false","since":{"general":"10"}}""",
        """{"type":"say","text":"dup","text":"licate"}""",
        """  {"type" : "rooms" }  """,
        """{"type":"say","room":null,"text":"explicit null room"}""",
        "[1,2,3]",
        "\"just a string\"",
        "{}",
    ];

    public static IReadOnlyList<string> ServerLines { get; } =
    [
        .. new ServerFrame[]
        {
            new WelcomeFrame("alice", "sockchat", "1.2.3", ["general", "dev"], 16384, "be nice", 100, 500),
            new MsgFrame("general", 17, Ts, "bob", "hello \ud83d\ude00", Action: true, History: true),
            new DmMessageFrame(Ts, "alice", "bob", "psst"),
            new JoinedFrame("general", "carol", Ts),
            new LeftFrame("general", "carol", Ts, "timeout"),
            new NickChangedFrame("al", "alice", Ts),
            new AckFrame(FrameId.FromString("abc"), 17),
            new AckFrame(new FrameId("9"), null),
            new ErrorFrame(ErrorCodes.RateLimited, "too fast", FrameId.FromString("s6")),
            new ShutdownFrame("server shutting down"),
            new WhoReplyFrame("general", ["alice", "bob"]),
            new RoomsReplyFrame([new RoomInfo("general", 2), new RoomInfo("dev", 1)]),
            new HistoryReplyFrame("general", [new MsgFrame("general", 1, Ts, "bob", "old"), new MsgFrame("general", 2, Ts, "al", "older")]),
            new PongFrame(FrameId.FromString("sync-1")),
            new ServerPingFrame(FrameId.FromString("keepalive")),
            new NoticeFrame("commands: /help"),
        }.Select(f => Encoding.UTF8.GetString(JsonCodec.Encode(f)).TrimEnd('\n')),
        """{"type":"msg","room":"general","seq":1,"ts":"not a time","from":"\u001b[2Jx","text":"\u009b31m\u202e"}""",
        """{"type":"history","room":"general","messages":[1,"two",null,{"seq":"x"}]}""",
        """{"type":"rooms","rooms":[{"name":"a","members":1e400},7]}""",
        """{"type":"welcome","limits":{"maxLineBytes":99999999999,"messagesPerSecond":-5,"burst":1.5},"server":"not an object"}""",
    ];

    public static IReadOnlyList<string> TextLines { get; } =
    [
        "alice", "/nick bob", "/NICK  carol  ", "/join #dev", "/j dev extra words", "/part", "/leave dev", "/msg bob hello there",
        "/dm bob", "/me waves", "/me", "//literal slash", "/", "//", "/history 10", "/history -1", "/history 99999999999",
        "/who general", "/names", "/rooms", "/list", "/quit bye now", "/exit", "/ping", "/help", "/?", "/dance", "/pass secret",
        "plain text with\ttab", "\u001b[2J/quit", "/\u001b[31mquit", "/msg \u202ebob hi", "  /who  ", "\u00e9t\u00e9",
    ];

    /// <summary>Hand-picked hostile lines: deep nesting, huge numbers and strings, NULs, escapes.</summary>
    public static IEnumerable<string> NastyLines()
    {
        foreach (var depth in new[] { 15, 16, 17, 64, 10_000 })
        {
            yield return """{"type":"say","text":"x","deep":""" + new string('[', depth) + new string(']', depth) + "}";
            yield return string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
        }
        yield return new string('{', 100_000);
        yield return """{"type":"history","limit":""" + new string('9', 10_000) + "}";
        yield return """{"type":"say","text":"x","id":""" + new string('9', 10_000) + "}";
        yield return """{"type":"say","text":"x","id":1e999999999}""";
        yield return """{"type":"join","room":"dev","since":-0.0}""";
        yield return """{"type":"say","text":""" + "\"" + new string('a', 200_000) + "\"}";
        yield return """{"type":"say","text":""" + "\"" + string.Concat(Enumerable.Repeat("\\u001b[1;2;3m", 5_000)) + "\"}";
        yield return "{\"type\":\"say\",\"text\":\"\0\0\0\"}";
        yield return "{\"type\":\"say\",\"text\":\"\u001b]0;" + new string('t', 10_000) + "\"}";
        yield return "\u001b[2J\u001b]0;title\u0007\u001bP+q\u001b\\\u0007\u202e\u2066";
        yield return "\uFEFF{\"type\":\"rooms\"}";
        yield return new string('\0', 1000);
        yield return new string('\u001b', 1000);
        yield return new string('\u009b', 1000) + "m";
        yield return string.Concat(Enumerable.Repeat("\u001b[", 10_000));
    }

    /// <summary>Every single-byte flip, insertion, deletion and truncation of <paramref name="line"/>, at every position.</summary>
    public static IEnumerable<byte[]> EveryByteMutation(byte[] line, Random random)
    {
        for (var i = 0; i <= line.Length; i++)
        {
            yield return line[..i];
            yield return [.. line[..i], Interesting[random.Next(Interesting.Length)], .. line[i..]];
            if (i < line.Length)
            {
                var flipped = (byte[])line.Clone();
                flipped[i] ^= (byte)(1 << random.Next(8));
                yield return flipped;
                yield return [.. line[..i], .. line[(i + 1)..]];
            }
        }
    }

    /// <summary>One to eight random edits of a corpus line, sometimes spliced with another.</summary>
    public static byte[] RandomMutation(IReadOnlyList<byte[]> corpus, Random random)
    {
        var bytes = new List<byte>(corpus[random.Next(corpus.Count)]);
        var edits = random.Next(1, 9);
        for (var e = 0; e < edits; e++)
        {
            var at = random.Next(bytes.Count + 1);
            switch (random.Next(6))
            {
                case 0 when at < bytes.Count:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.Insert(at, RandomByte(random));
                    break;
                case 2 when at < bytes.Count:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 8), bytes.Count - at));
                    break;
                case 3 when at < bytes.Count:
                    var length = Math.Min(random.Next(1, 32), bytes.Count - at);
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
                case 4:
                    var other = corpus[random.Next(corpus.Count)];
                    var from = random.Next(other.Length + 1);
                    bytes.InsertRange(at, other[from..Math.Min(other.Length, from + random.Next(1, 40))]);
                    break;
                default:
                    bytes.InsertRange(at, RandomUtf8(random, random.Next(1, 6)));
                    break;
            }
        }
        return [.. bytes];
    }

    public static byte RandomByte(Random random) =>
        random.Next(3) == 0 ? Interesting[random.Next(Interesting.Length)] : (byte)random.Next(256);

    public static byte[] RandomBytes(Random random, int maxLength)
    {
        var bytes = new byte[random.Next(maxLength + 1)];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = RandomByte(random);
        }
        return bytes;
    }

    /// <summary>Valid UTF-8 for <paramref name="count"/> random scalar values, weighted towards the troublesome ranges.</summary>
    public static byte[] RandomUtf8(Random random, int count) => Encoding.UTF8.GetBytes(RandomText(random, count));

    /// <summary>Well-formed UTF-16 (no lone surrogates): what a line decoded from the wire can hold.</summary>
    public static string RandomText(Random random, int count)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            sb.Append(char.ConvertFromUtf32(random.Next(10) switch
            {
                0 => random.Next(0x00, 0x20),          // C0 controls, ESC, NUL, BEL
                1 => random.Next(0x7F, 0xA0),          // DEL, C1 controls (CSI 0x9B among them)
                2 => random.Next(0x202A, 0x202F),      // bidi embeddings and overrides
                3 => random.Next(0x2066, 0x206A),      // bidi isolates
                4 => random.Next(0x0300, 0x0370),      // combining marks
                5 => random.Next(0x10000, 0x110000),   // beyond the BMP: surrogate pairs
                6 => random.Next(0xA0, 0x800),         // Latin, Greek, Cyrillic...
                7 => random.Next(0x3000, 0xFFFE) is var b && b is < 0xD800 or > 0xDFFF ? b : 0xFF21, // CJK, fullwidth, specials
                _ => random.Next(0x20, 0x7F),          // printable ASCII
            }));
        }
        return sb.ToString();
    }

    /// <summary>Any UTF-16, lone surrogates included: what an API caller (not the wire) can pass.</summary>
    public static string RandomUtf16(Random random, int count)
    {
        var chars = new char[count];
        for (var i = 0; i < count; i++)
        {
            chars[i] = random.Next(4) switch
            {
                0 => (char)random.Next(0xD800, 0xE000),
                1 => (char)random.Next(0x00, 0x20),
                _ => (char)random.Next(0x20, 0x7F),
            };
        }
        return new string(chars);
    }

    /// <summary>Corpus lines, mutated, random and nasty, as the bytes a client could send (without the newline).</summary>
    public static IEnumerable<byte[]> WireLines(IReadOnlyList<string> corpus, Random random)
    {
        var seeds = corpus.Select(Encoding.UTF8.GetBytes).ToList();
        foreach (var nasty in NastyLines())
        {
            yield return Encoding.UTF8.GetBytes(nasty);
        }
        // Invalid UTF-8 of every kind: lone continuation, truncated, over-long, surrogates, beyond U+10FFFF, 5- and 6-byte forms.
        foreach (var invalid in new byte[][] { [0x80], [0xC3], [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xED, 0xB0, 0x80],
                     [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFC, 0x84, 0x80, 0x80, 0x80, 0x80], [0xFE], [0xFF, 0xFE] })
        {
            foreach (var seed in seeds.Take(4))
            {
                yield return [.. seed[..(seed.Length / 2)], .. invalid, .. seed[(seed.Length / 2)..]];
            }
        }
        foreach (var seed in seeds)
        {
            foreach (var mutated in EveryByteMutation(seed, random))
            {
                yield return mutated;
            }
        }
        while (true)
        {
            yield return random.Next(4) switch
            {
                0 => RandomBytes(random, 200),
                1 => RandomUtf8(random, random.Next(0, 60)),
                _ => RandomMutation(seeds, random),
            };
        }
    }

    /// <summary>True when nothing in <paramref name="text"/> can move a terminal's cursor, recolour it or reorder what it shows: no C0 (tab excepted), DEL, C1 or bidi control.</summary>
    public static bool IsClean(string text)
    {
        foreach (var c in text)
        {
            if ((c < 0x20 && c != '\t') || c is >= '\u007f' and <= '\u009f' or >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069')
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>True when <paramref name="text"/> holds a surrogate that is not half of a pair.</summary>
    public static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }
        return false;
    }
}
