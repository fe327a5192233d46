using System.Collections;
using System.Text;
using System.Text.RegularExpressions;
using Sockchat.Protocol;
using Sockchat.Tests.Protocol;
using Xunit.Abstractions;

namespace Sockchat.Tests.Robustness;

/// <summary>
/// Property tests over many random and mutated inputs (see <see cref="FuzzInputs"/>), each run
/// bounded to 20,000 cases or 5 seconds: the framer, both JSON parsers, the text commands, the
/// sanitizer and the name rules never throw, always return, and uphold their promises. Inputs
/// are what can arrive from the network: bytes, decoded as the server decodes them (so never a
/// lone surrogate; <see cref="Every_parser_survives_arbitrary_utf16_including_lone_surrogates"/>
/// covers those separately). Replay a failure with the logged seed: <c>SOCKCHAT_FUZZ_SEED</c>.
/// </summary>
[Collection(RobustnessSerialCollection.Name)]
public sealed partial class FuzzTests(ITestOutputHelper output)
{
    private static readonly HashSet<string> Reserved = ["server", "sockchat", "system", "admin", "everyone", "nickserv", "chanserv"];

    private static readonly string[] Nicknames =
    [
        "alice", "Alice", "ALICE", "José", "Jose\u0301", "ｊｏｈｎ", "admin", "ＡＤＭＩＮ", "NickServ", "nick serv", "a.b-c_d", new string('n', 32),
        new string('n', 33), "ǅemal", "straße", "ﬀ", "\u212A", "\u212Bngstrom", "\u0130stanbul", "ıi", "a\uFFFE", "\uFFFF", "\U0001D400\U0001D401",
        "٣٤", "#room", "Dev", "e\u0301\u0301\u0301", "*", "", "   ", "\t", "ａｄｍｉｎ", "\u0000admin",
    ];

    [Fact]
    public void Framing_random_streams_read_in_random_pieces_matches_a_plain_split_and_never_keeps_more_than_a_line()
    {
        var run = new FuzzRun(output, "LineFramer");
        int[] limits = [1, 2, 3, 7, 16, 64, 200];
        while (run.NextCase())
        {
            // Arrange
            var max = limits[run.Random.Next(limits.Length)];
            var stream = RandomStream(run.Random, max);
            var chunks = RandomChunks(stream, run.Random, max);
            var expected = PlainSplit(stream, max);

            run.Check("LineFramer", FuzzRun.Show(stream), () =>
            {
                // Act
                var harness = new FramerHarness(new LineFramer(max));
                foreach (var chunk in chunks)
                {
                    harness.Read(chunk);

                    // Assert
                    if (harness.RetainedBytes > max + 1)
                    {
                        run.Fail("LineFramer", $"max {max}, {FuzzRun.Show(stream)}", "kept more than maxLineBytes + 1 bytes unconsumed");
                        return;
                    }
                }
                if (!harness.Reported.SequenceEqual(expected))
                {
                    run.Fail("LineFramer", $"max {max}, {FuzzRun.Show(stream)}: got [{string.Join(", ", harness.Reported)}], expected [{string.Join(", ", expected)}]",
                        "reported something other than a plain split of the stream");
                }
            });
        }
        run.AssertClean();
    }

    [Fact]
    public void Parsing_any_line_a_json_client_can_send_never_throws_and_echoes_only_clean_text()
    {
        var run = new FuzzRun(output, "JsonCodec.ParseClientFrame");
        using var inputs = FuzzInputs.WireLines(FuzzInputs.ClientLines, run.Random).GetEnumerator();
        while (run.NextCase() && inputs.MoveNext())
        {
            // Arrange: the line as the server's read loop would decode it.
            var line = TextSanitizer.Decode(new(inputs.Current));

            run.Check("ParseClientFrame", line, () =>
            {
                // Act
                var frame = JsonCodec.ParseClientFrame(line);
                _ = JsonCodec.LooksLikeJsonObject(line);

                // Assert: text that can reach other people is clean. (An InvalidFrame's message may quote
                // the sender's own malformed bytes; it goes back to the sender only, JSON-escaped.)
                string?[] shown = frame switch
                {
                    null => throw new InvalidOperationException("returned null"),
                    SayFrame f => [f.Text],
                    DmFrame f => [f.Text],
                    QuitFrame f => [f.Reason],
                    UnknownFrame f => [f.Type],
                    InvalidFrame f => [f.Code],
                    _ => [],
                };
                foreach (var text in shown)
                {
                    if (text is not null && !FuzzInputs.IsClean(text))
                    {
                        run.Fail("ParseClientFrame", line, $"{frame.GetType().Name} carries a control character: {FuzzRun.Show(text)}");
                    }
                }
            });
        }
        run.AssertClean();
    }

    [Fact]
    public void Parsing_any_line_a_server_can_send_never_throws_and_yields_only_clean_text()
    {
        var run = new FuzzRun(output, "JsonCodec.ParseServerFrame");
        using var inputs = FuzzInputs.WireLines(FuzzInputs.ServerLines, run.Random).GetEnumerator();
        while (run.NextCase() && inputs.MoveNext())
        {
            // Arrange
            var line = TextSanitizer.Decode(new(inputs.Current));

            run.Check("ParseServerFrame", line, () =>
            {
                // Act
                var frame = JsonCodec.ParseServerFrame(line);

                // Assert: null (ignored) or a frame whose every string is safe to print.
                foreach (var (path, text) in StringsIn(frame, frame?.GetType().Name ?? ""))
                {
                    if (!FuzzInputs.IsClean(text))
                    {
                        run.Fail("ParseServerFrame", line, $"{path} carries a control character: {FuzzRun.Show(text)}");
                    }
                }
            });
        }
        run.AssertClean();
    }

    [Fact]
    public void Parsing_any_line_a_text_client_can_send_never_throws_and_yields_only_clean_text()
    {
        var run = new FuzzRun(output, "TextCommands.Parse");
        using var inputs = FuzzInputs.WireLines(FuzzInputs.TextLines, run.Random).GetEnumerator();
        while (run.NextCase() && inputs.MoveNext())
        {
            // Arrange
            var line = TextSanitizer.Decode(new(inputs.Current));

            run.Check("TextCommands.Parse", line, () =>
            {
                // Act
                var frame = TextCommands.Parse(line) ?? throw new InvalidOperationException("returned null");

                // Assert
                foreach (var (path, text) in StringsIn(frame, frame.GetType().Name))
                {
                    if (!FuzzInputs.IsClean(text))
                    {
                        run.Fail("TextCommands.Parse", line, $"{path} carries a control character: {FuzzRun.Show(text)}");
                    }
                }
            });
        }
        run.AssertClean();
    }

    [Fact]
    public void Decoding_and_cleaning_random_input_leaves_no_control_character_escape_or_lone_surrogate()
    {
        var run = new FuzzRun(output, "TextSanitizer");
        using var inputs = FuzzInputs.WireLines([.. FuzzInputs.ClientLines, .. FuzzInputs.TextLines], run.Random).GetEnumerator();
        while (run.NextCase() && inputs.MoveNext())
        {
            // Arrange
            var bytes = inputs.Current;
            var split = run.Random.Next(bytes.Length + 1);
            string decoded = "";

            run.Check("TextSanitizer.Decode", FuzzRun.Show(bytes), () =>
            {
                // Act: decoded from two segments, as a line that arrived in two reads.
                decoded = TextSanitizer.Decode(Segments.SplitAt(bytes, split));

                // Assert
                if (decoded != Encoding.UTF8.GetString(bytes))
                {
                    run.Fail("TextSanitizer.Decode", FuzzRun.Show(bytes), "differs from decoding the bytes in one piece with replacement");
                }
                if (FuzzInputs.HasLoneSurrogate(decoded))
                {
                    run.Fail("TextSanitizer.Decode", FuzzRun.Show(bytes), "produced a lone surrogate");
                }
            });
            var text = run.Random.Next(3) == 0 ? FuzzInputs.RandomText(run.Random, run.Random.Next(1, 80)) : decoded;
            run.Check("TextSanitizer.Clean", text, () =>
            {
                // Act
                var cleaned = TextSanitizer.Clean(text);

                // Assert
                if (!FuzzInputs.IsClean(cleaned))
                {
                    run.Fail("TextSanitizer.Clean", text, "left a control character, escape or bidi override");
                }
                if (TextSanitizer.Clean(cleaned) != cleaned)
                {
                    run.Fail("TextSanitizer.Clean", text, "is not idempotent");
                }
                if (!IsSubsequence(cleaned, text))
                {
                    run.Fail("TextSanitizer.Clean", text, "added or reordered characters");
                }
                if (FuzzInputs.IsClean(text) && cleaned != text)
                {
                    run.Fail("TextSanitizer.Clean", text, "changed text that had nothing to remove");
                }
            });
        }
        run.AssertClean();
    }

    [Fact]
    public void Validating_random_names_and_rooms_never_throws_and_accepts_only_well_formed_ones()
    {
        var run = new FuzzRun(output, "Names");
        var corpus = Nicknames.Concat(FuzzInputs.TextLines).Select(s => s.Length > 40 ? s[..40] : s).ToList();
        using var inputs = FuzzInputs.WireLines(corpus, run.Random).GetEnumerator();
        while (run.NextCase() && inputs.MoveNext())
        {
            // Arrange
            var wanted = TextSanitizer.Decode(new(inputs.Current));
            if (run.Random.Next(4) == 0)
            {
                wanted = FuzzInputs.RandomText(run.Random, run.Random.Next(1, 40));
            }

            run.Check("Names.TryNormalizeNick", wanted, () =>
            {
                // Act
                if (!Names.TryNormalizeNick(wanted, out var nick, out var problem))
                {
                    // Assert: the reason is shown to the client, so it is clean.
                    if (!FuzzInputs.IsClean(problem))
                    {
                        run.Fail("Names.TryNormalizeNick", wanted, $"refused with an unclean reason: {FuzzRun.Show(problem)}");
                    }
                    return;
                }
                var runes = nick.EnumerateRunes().ToList();
                if (!nick.IsNormalized(NormalizationForm.FormC)
                    || runes.Count is 0 or > ProtocolLimits.MaxNameLength
                    || !runes.All(r => Rune.IsLetterOrDigit(r) || r.Value is '-' or '_' or '.')
                    || Reserved.Contains(Names.NickKey(nick)))
                {
                    run.Fail("Names.TryNormalizeNick", wanted, $"accepted a name against the rules: {FuzzRun.Show(nick)}");
                }
                if (!Names.TryNormalizeNick(nick, out var again, out _) || again != nick)
                {
                    run.Fail("Names.TryNormalizeNick", wanted, "does not accept its own result unchanged");
                }
            });
            run.Check("Names.TryNormalizeRoom", wanted, () =>
            {
                // Act
                if (!Names.TryNormalizeRoom(wanted, out var room, out var problem))
                {
                    // Assert
                    if (!FuzzInputs.IsClean(problem))
                    {
                        run.Fail("Names.TryNormalizeRoom", wanted, $"refused with an unclean reason: {FuzzRun.Show(problem)}");
                    }
                    return;
                }
                if (!RoomRule().IsMatch(room) || !Names.TryNormalizeRoom(room, out var again, out _) || again != room)
                {
                    run.Fail("Names.TryNormalizeRoom", wanted, $"accepted a room against the rules or unstably: {FuzzRun.Show(room)}");
                }
            });
        }
        run.AssertClean();
    }

    /// <summary>
    /// Not reachable from the network (decoded lines never hold a lone surrogate), but the parsers
    /// and name rules are public and documented never to throw ("Never throws", "Try…").
    /// </summary>
    [Fact]
    public void Every_parser_survives_arbitrary_utf16_including_lone_surrogates()
    {
        var run = new FuzzRun(output, "arbitrary UTF-16");
        var corpus = FuzzInputs.ClientLines.Concat(FuzzInputs.ServerLines).Concat(FuzzInputs.TextLines).Concat(Nicknames).ToList();
        while (run.NextCase())
        {
            // Arrange: a corpus line with a few arbitrary UTF-16 units inserted, or random units alone.
            string input;
            if (run.Random.Next(3) == 0)
            {
                input = FuzzInputs.RandomUtf16(run.Random, run.Random.Next(0, 40));
            }
            else
            {
                var line = corpus[run.Random.Next(corpus.Count)];
                input = line.Insert(run.Random.Next(line.Length + 1), FuzzInputs.RandomUtf16(run.Random, run.Random.Next(1, 4)));
            }

            // Act and assert: nothing throws.
            run.Check("JsonCodec.ParseClientFrame", input, () => _ = JsonCodec.ParseClientFrame(input) ?? throw new InvalidOperationException("returned null"));
            run.Check("JsonCodec.ParseServerFrame", input, () => _ = JsonCodec.ParseServerFrame(input));
            run.Check("TextCommands.Parse", input, () => _ = TextCommands.Parse(input) ?? throw new InvalidOperationException("returned null"));
            run.Check("TextSanitizer.Clean", input, () => _ = TextSanitizer.Clean(input));
            run.Check("Names.TryNormalizeNick", input, () => _ = Names.TryNormalizeNick(input, out _, out _));
            run.Check("Names.TryNormalizeRoom", input, () => _ = Names.TryNormalizeRoom(input, out _, out _));
        }
        run.AssertClean();
    }

    [GeneratedRegex("^[a-z0-9_-]{1,32}$")]
    private static partial Regex RoomRule();

    /// <summary>A random byte stream built from lines near the limit, CR/LF runs, random bytes and text.</summary>
    private static byte[] RandomStream(Random random, int max)
    {
        var stream = new List<byte>();
        var pieces = random.Next(1, 12);
        for (var p = 0; p < pieces; p++)
        {
            switch (random.Next(5))
            {
                case 0 or 1:
                    int[] lengths = [0, 1, max - 1, max, max + 1, max + 2, 2 * max, 5 * max + 3, random.Next(3 * max + 1)];
                    var length = Math.Max(0, lengths[random.Next(lengths.Length)]);
                    for (var i = 0; i < length; i++)
                    {
                        var b = FuzzInputs.RandomByte(random);
                        stream.Add(b == (byte)'\n' ? (byte)'x' : b);
                    }
                    string[] endings = ["\n", "\r\n", "\r\r\n", "\n\n", "\r", ""];
                    stream.AddRange(Encoding.ASCII.GetBytes(endings[random.Next(endings.Length)]));
                    break;
                case 2:
                    stream.AddRange(FuzzInputs.RandomBytes(random, 3 * max));
                    break;
                case 3:
                    stream.AddRange(Encoding.ASCII.GetBytes(new[] { "\n", "\r\n", "\r", "\n\r" }[random.Next(4)]));
                    break;
                default:
                    stream.AddRange(FuzzInputs.RandomUtf8(random, random.Next(0, max + 2)));
                    stream.Add((byte)'\n');
                    break;
            }
        }
        return [.. stream];
    }

    /// <summary>The stream cut into reads of random sizes, single bytes among them.</summary>
    private static List<byte[]> RandomChunks(byte[] stream, Random random, int max)
    {
        var chunks = new List<byte[]>();
        for (var at = 0; at < stream.Length;)
        {
            var size = Math.Min(stream.Length - at, random.Next(3) == 0 ? 1 : random.Next(1, 3 * max + 6));
            chunks.Add(stream[at..(at + size)]);
            at += size;
        }
        return chunks;
    }

    /// <summary>
    /// What the framer should report for a whole stream, worked out the obvious way: split at
    /// <c>\n</c>, drop one trailing <c>\r</c>, skip empty lines, a line over the limit is reported
    /// once as too long, and an unfinished last line only once it is past the limit plus one.
    /// </summary>
    private static List<Framed> PlainSplit(byte[] stream, int max)
    {
        var reported = new List<Framed>();
        var start = 0;
        for (var i = 0; i < stream.Length; i++)
        {
            if (stream[i] != (byte)'\n')
            {
                continue;
            }
            var line = stream[start..i];
            start = i + 1;
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }
            if (line.Length == 0)
            {
                continue;
            }
            reported.Add(line.Length > max ? Framed.TooLong : Framed.Line(Encoding.UTF8.GetString(line)));
        }
        if (stream.Length - start > max + 1)
        {
            reported.Add(Framed.TooLong);
        }
        return reported;
    }

    private static bool IsSubsequence(string part, string whole)
    {
        var at = 0;
        foreach (var c in whole)
        {
            if (at < part.Length && part[at] == c)
            {
                at++;
            }
        }
        return at == part.Length;
    }

    /// <summary>Every string inside a frame (recursing into lists and nested records), with where it was found; ids (raw JSON) are skipped.</summary>
    private static IEnumerable<(string Path, string Text)> StringsIn(object? value, string path, int depth = 0)
    {
        switch (value)
        {
            case null or FrameId:
                yield break;
            case string text:
                yield return (path, text);
                yield break;
            case IEnumerable items when depth < 4:
                var index = 0;
                foreach (var item in items)
                {
                    foreach (var found in StringsIn(item, $"{path}[{index++}]", depth + 1))
                    {
                        yield return found;
                    }
                }
                yield break;
        }
        var type = value.GetType();
        if (type.Namespace != typeof(ServerFrame).Namespace || depth >= 4)
        {
            yield break;
        }
        foreach (var property in type.GetProperties())
        {
            foreach (var found in StringsIn(property.GetValue(value), $"{path}.{property.Name}", depth + 1))
            {
                yield return found;
            }
        }
    }
}
