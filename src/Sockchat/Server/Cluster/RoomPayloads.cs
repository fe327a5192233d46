using System.Globalization;
using System.Text;
using Sockchat.Protocol;

namespace Sockchat.Server.Cluster;

/// <summary>One room's part of a commit: its messages (<see cref="MsgFrame"/>) and events (<see cref="StoredEvent"/>) in stream order, after <paramref name="FromSeq"/> and <paramref name="FromEv"/>.</summary>
internal sealed record RoomPart(string Room, long FromSeq, long FromEv, IReadOnlyList<object> Stream);

/// <summary>
/// A commit's notification read back: node <paramref name="Node"/>'s commit number
/// <paramref name="Commit"/> (its writer's count); <paramref name="Sections"/> are
/// <see cref="RoomChunk"/>s and <see cref="RoomAdvanced"/> pointers in stream order.
/// </summary>
internal sealed record CommitPayload(long Node, long Commit, IReadOnlyList<FanoutWork> Sections);

/// <summary>
/// What a commit tells the other nodes, as NOTIFY payloads (each under
/// <see cref="ClusterStore.MaxPayloadBytes"/>): one notification for all the rooms it wrote to
/// while they fit, more when they do not. Per room, a section carries a run of the room's stream
/// itself, the messages and events just stored, so a node that is caught up delivers them
/// without reading them back; a room's part too big for what is left of a payload is cut into
/// several sections, in stream order. A record too big for any payload (a long message) goes as
/// a pointer ("the room reached this far"), which the other nodes read from the table. Lines are
/// separated by <c>\n</c>; names, rooms and texts hold none (TextSanitizer removes control
/// characters other than tab), and a record has a fixed number of lines, so a line that starts a
/// section is never taken for a text.
/// </summary>
/// <remarks>
/// A payload: <c>c NODE COMMIT</c>, then sections. A section: <c>b FROMSEQ TOSEQ FROMEV TOEV ROOM</c>
/// (the room's stream positions before and after it), then per message <c>m</c>, seq, unix ms,
/// <c>a</c> (action) or <c>s</c>, sender, text; per event <c>e</c>, ev, after-seq, unix ms, kind,
/// name, other, reason (empty for none). A pointer: <c>r SEQ EV ROOM</c>.
/// </remarks>
internal static class RoomPayloads
{
    /// <summary>The payloads of commit <paramref name="commit"/> of node <paramref name="nodeId"/>, for <paramref name="rooms"/> in that order.</summary>
    public static List<string> Build(long nodeId, long commit, IReadOnlyList<RoomPart> rooms, int maxBytes = ClusterStore.MaxPayloadBytes)
    {
        var head = string.Create(CultureInfo.InvariantCulture, $"c {nodeId} {commit}");
        var headBytes = Encoding.UTF8.GetByteCount(head);
        var payloads = new List<string>();
        var payload = new StringBuilder(head);
        var payloadBytes = headBytes;
        foreach (var room in rooms)
        {
            foreach (var (section, bytes) in Sections(room, maxBytes - headBytes - 1))
            {
                if (payloadBytes + 1 + bytes > maxBytes)
                {
                    payloads.Add(payload.ToString());
                    payload.Clear().Append(head);
                    payloadBytes = headBytes;
                }
                payload.Append('\n').Append(section);
                payloadBytes += 1 + bytes;
            }
        }
        if (payloadBytes > headBytes)
        {
            payloads.Add(payload.ToString());
        }
        return payloads;
    }

    /// <summary>One room's part as sections of at most <paramref name="maxBytes"/> each, with their sizes.</summary>
    private static List<(string Text, int Bytes)> Sections(RoomPart part, int maxBytes)
    {
        var sections = new List<(string, int)>();
        var body = new StringBuilder();
        var bodyBytes = 0;
        var (seq, ev) = (part.FromSeq, part.FromEv);
        var (sectionSeq, sectionEv) = (seq, ev);
        var headerBytes = Encoding.UTF8.GetByteCount(Header(long.MaxValue, long.MaxValue, long.MaxValue, long.MaxValue, part.Room));

        void Close()
        {
            if (bodyBytes > 0)
            {
                var text = Header(sectionSeq, seq, sectionEv, ev, part.Room) + body;
                sections.Add((text, Encoding.UTF8.GetByteCount(text)));
                body.Clear();
                bodyBytes = 0;
            }
            (sectionSeq, sectionEv) = (seq, ev);
        }

        foreach (var item in part.Stream)
        {
            var record = item switch
            {
                MsgFrame m => Record(m),
                StoredEvent e => Record(e),
                _ => throw new ArgumentException($"not a stream record: {item.GetType().Name}", nameof(part)),
            };
            var bytes = Encoding.UTF8.GetByteCount(record);
            if (headerBytes + bytes > maxBytes)
            {
                // Too big for any section: what came before goes as it is, this one as a pointer.
                Close();
                (seq, ev) = Advance(item, seq, ev);
                var pointer = ClusterStore.RoomPayload(part.Room, seq, ev);
                sections.Add((pointer, Encoding.UTF8.GetByteCount(pointer)));
                (sectionSeq, sectionEv) = (seq, ev);
                continue;
            }
            if (headerBytes + bodyBytes + bytes > maxBytes)
            {
                Close();
            }
            body.Append(record);
            bodyBytes += bytes;
            (seq, ev) = Advance(item, seq, ev);
        }
        Close();
        return sections;
    }

    private static (long Seq, long Ev) Advance(object item, long seq, long ev) => item is MsgFrame m ? (m.Seq, ev) : (seq, ((StoredEvent)item).Ev);

    private static string Header(long fromSeq, long toSeq, long fromEv, long toEv, string room) =>
        string.Create(CultureInfo.InvariantCulture, $"b {fromSeq} {toSeq} {fromEv} {toEv} {room}");

    private static string Record(MsgFrame m) =>
        string.Create(CultureInfo.InvariantCulture, $"\nm\n{m.Seq}\n{m.Ts.ToUnixTimeMilliseconds()}\n{(m.Action ? 'a' : 's')}\n{m.From}\n{m.Text}");

    private static string Record(StoredEvent e) =>
        string.Create(CultureInfo.InvariantCulture, $"\ne\n{e.Ev}\n{e.AfterSeq}\n{e.Ts.ToUnixTimeMilliseconds()}\n{e.Kind}\n{e.Name}\n{e.Other}\n{e.Reason}");

    /// <summary>
    /// A commit's payload read back; null when <paramref name="payload"/> is not a well-formed one.
    /// The sections of <paramref name="ownNode"/>'s commits come back without their records (that
    /// node delivered them already): only their positions are read.
    /// </summary>
    public static CommitPayload? Parse(string payload, long ownNode = -1)
    {
        var at = 0;
        if (!Line(payload, ref at, out var first) || !first.StartsWith("c ") || !Numbers(first[2..], 2, out var head, out var extra) || !extra.IsEmpty)
        {
            return null;
        }
        var (node, commit) = (head[0], head[1]);
        var own = node == ownNode;
        var sections = new List<FanoutWork>();
        RoomChunk? chunk = null;
        List<object>? records = null;
        while (Line(payload, ref at, out var line))
        {
            if (line.StartsWith("b ") && Numbers(line[2..], 4, out var b, out var bRoom) && bRoom.Length > 0)
            {
                records = [];
                chunk = new RoomChunk(bRoom.ToString(), node, b[0], b[1], b[2], b[3], records);
                sections.Add(chunk);
            }
            else if (Pointer(line) is { } pointer)
            {
                (chunk, records) = (null, null);
                sections.Add(pointer);
            }
            else if (records is null || !Record(payload, ref at, line, chunk!, own, records))
            {
                return null;
            }
        }
        return sections.Count == 0 ? null : new CommitPayload(node, commit, sections);
    }

    /// <summary>A pointer (<c>r SEQ EV ROOM</c>, as <see cref="ClusterStore.RoomPayload"/> writes it), in a commit's payload or on its own; null when <paramref name="line"/> is not one.</summary>
    public static RoomAdvanced? Pointer(ReadOnlySpan<char> line) =>
        line.StartsWith("r ") && Numbers(line[2..], 2, out var position, out var room) && room.Length > 0
            ? new RoomAdvanced(room.ToString(), position[0], position[1])
            : null;

    /// <summary>The record that <paramref name="kind"/> starts (its other lines follow <paramref name="at"/>), added to <paramref name="records"/> unless <paramref name="own"/>.</summary>
    private static bool Record(string payload, ref int at, ReadOnlySpan<char> kind, RoomChunk chunk, bool own, List<object> records)
    {
        var count = kind switch { "m" => 5, "e" => 7, _ => 0 };
        if (count == 0)
        {
            return false;
        }
        Span<Range> lines = stackalloc Range[7];
        for (var i = 0; i < count; i++)
        {
            var start = at;
            if (!Line(payload, ref at, out var line))
            {
                return false;
            }
            lines[i] = new Range(start, start + line.Length);
        }
        if (own)
        {
            return true;
        }
        var text = payload.AsSpan();
        if (count == 5)
        {
            if (!Long(text[lines[0]], out var seq) || !Long(text[lines[1]], out var ms))
            {
                return false;
            }
            records.Add(new MsgFrame(chunk.Room, seq, DateTimeOffset.FromUnixTimeMilliseconds(ms), payload[lines[3]], payload[lines[4]], text[lines[2]] is "a"));
            return true;
        }
        if (!Long(text[lines[0]], out var ev) || !Long(text[lines[1]], out var after) || !Long(text[lines[2]], out var ts))
        {
            return false;
        }
        records.Add(new StoredEvent(ev, after, payload[lines[3]], payload[lines[4]], NullIfEmpty(payload[lines[5]]), NullIfEmpty(payload[lines[6]]), chunk.Node,
            DateTimeOffset.FromUnixTimeMilliseconds(ts)));
        return true;
    }

    /// <summary>The line at <paramref name="at"/>, moving past it; false after the last.</summary>
    private static bool Line(string payload, ref int at, out ReadOnlySpan<char> line)
    {
        if (at > payload.Length)
        {
            line = default;
            return false;
        }
        var end = payload.IndexOf('\n', at);
        end = end < 0 ? payload.Length : end;
        line = payload.AsSpan(at, end - at);
        at = end + 1;
        return true;
    }

    /// <summary><paramref name="count"/> numbers separated by spaces, then (after one more space) the rest.</summary>
    private static bool Numbers(ReadOnlySpan<char> text, int count, out long[] values, out ReadOnlySpan<char> rest)
    {
        values = new long[count];
        for (var i = 0; i < count; i++)
        {
            var space = text.IndexOf(' ');
            var last = i == count - 1;
            var field = space < 0 ? text : text[..space];
            if (!Long(field, out values[i]) || (space < 0 && !last))
            {
                rest = default;
                return false;
            }
            text = space < 0 ? [] : text[(space + 1)..];
        }
        rest = text;
        return true;
    }

    private static bool Long(ReadOnlySpan<char> text, out long value) => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;
}
