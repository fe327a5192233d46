using System.Globalization;
using System.Text;
using Sockchat.Protocol;

namespace Sockchat.Server.Cluster;

/// <summary>
/// What a commit tells the other nodes about a room, as NOTIFY payloads (each under
/// <see cref="ClusterStore.MaxPayloadBytes"/>). A <see cref="RoomChunk"/> carries a run of the
/// room's stream itself, the messages and events just stored, so a node that is caught up
/// delivers them without reading them back; a commit too big for one payload is cut into several
/// chunks, in stream order. A record too big for any payload (a long message) goes as a pointer
/// (<c>r SEQ EV ROOM</c>: "the room reached this far"), which the other nodes read from the table.
/// Lines are separated by <c>\n</c>; names, rooms and texts hold none (TextSanitizer removes
/// control characters other than tab).
/// </summary>
/// <remarks>
/// A chunk: the header <c>b NODE FROMSEQ TOSEQ FROMEV TOEV ROOM</c> (the stream positions before
/// and after it), then per message <c>m</c>, seq, unix ms, <c>a</c> (action) or <c>s</c>, sender,
/// text; per event <c>e</c>, ev, after-seq, unix ms, kind, name, other, reason (empty for none).
/// </remarks>
internal static class RoomPayloads
{
    /// <summary>
    /// The payloads for one room's part of a commit: <paramref name="stream"/> (messages as
    /// <see cref="MsgFrame"/>, events as <see cref="StoredEvent"/>) in stream order, which starts
    /// after <paramref name="fromSeq"/> and <paramref name="fromEv"/>.
    /// </summary>
    public static List<string> Build(long nodeId, string room, long fromSeq, long fromEv, IReadOnlyList<object> stream, int maxBytes = ClusterStore.MaxPayloadBytes)
    {
        var payloads = new List<string>();
        var body = new StringBuilder();
        var bodyBytes = 0;
        var (seq, ev) = (fromSeq, fromEv);
        var (chunkSeq, chunkEv) = (fromSeq, fromEv);
        var header = Header(nodeId, long.MaxValue, long.MaxValue, long.MaxValue, long.MaxValue, room);
        var headerBytes = Encoding.UTF8.GetByteCount(header);

        void Close()
        {
            if (bodyBytes > 0)
            {
                payloads.Add(Header(nodeId, chunkSeq, seq, chunkEv, ev, room) + body);
                body.Clear();
                bodyBytes = 0;
            }
            (chunkSeq, chunkEv) = (seq, ev);
        }

        foreach (var item in stream)
        {
            var record = item switch
            {
                MsgFrame m => Record(m),
                StoredEvent e => Record(e),
                _ => throw new ArgumentException($"not a stream record: {item.GetType().Name}", nameof(stream)),
            };
            var bytes = Encoding.UTF8.GetByteCount(record);
            if (headerBytes + bytes > maxBytes)
            {
                // Too big for any chunk: what came before goes as it is, this one as a pointer.
                Close();
                (seq, ev) = Advance(item, seq, ev);
                payloads.Add(ClusterStore.RoomPayload(room, seq, ev));
                (chunkSeq, chunkEv) = (seq, ev);
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
        return payloads;
    }

    private static (long Seq, long Ev) Advance(object item, long seq, long ev) => item is MsgFrame m ? (m.Seq, ev) : (seq, ((StoredEvent)item).Ev);

    private static string Header(long nodeId, long fromSeq, long toSeq, long fromEv, long toEv, string room) =>
        string.Create(CultureInfo.InvariantCulture, $"b {nodeId} {fromSeq} {toSeq} {fromEv} {toEv} {room}");

    private static string Record(MsgFrame m) =>
        string.Create(CultureInfo.InvariantCulture, $"\nm\n{m.Seq}\n{m.Ts.ToUnixTimeMilliseconds()}\n{(m.Action ? 'a' : 's')}\n{m.From}\n{m.Text}");

    private static string Record(StoredEvent e) =>
        string.Create(CultureInfo.InvariantCulture, $"\ne\n{e.Ev}\n{e.AfterSeq}\n{e.Ts.ToUnixTimeMilliseconds()}\n{e.Kind}\n{e.Name}\n{e.Other}\n{e.Reason}");

    /// <summary>
    /// A chunk read back; null when <paramref name="payload"/> is not a well-formed one. A chunk
    /// of <paramref name="ownNode"/> comes back without its records: that node delivered them already.
    /// </summary>
    public static RoomChunk? Parse(string payload, long ownNode = -1)
    {
        if (!payload.StartsWith("b ", StringComparison.Ordinal))
        {
            return null;
        }
        var headerEnd = payload.IndexOf('\n', StringComparison.Ordinal);
        var head = (headerEnd < 0 ? payload : payload[..headerEnd]).Split(' ', 7);
        if (head.Length != 7 || !Long(head[1], out var node) || !Long(head[2], out var fromSeq) || !Long(head[3], out var toSeq)
            || !Long(head[4], out var fromEv) || !Long(head[5], out var toEv))
        {
            return null;
        }
        var room = head[6];
        var records = new List<object>();
        if (node == ownNode || headerEnd < 0)
        {
            // The committing node's own (it delivered them already: the rest is not even split), or an empty chunk.
            return new RoomChunk(room, node, fromSeq, toSeq, fromEv, toEv, records);
        }
        var lines = payload[(headerEnd + 1)..].Split('\n');
        var i = 0;
        while (i < lines.Length)
        {
            switch (lines[i])
            {
                case "m" when i + 5 < lines.Length && Long(lines[i + 1], out var seq) && Long(lines[i + 2], out var ms):
                    records.Add(new MsgFrame(room, seq, DateTimeOffset.FromUnixTimeMilliseconds(ms), lines[i + 4], lines[i + 5], lines[i + 3] == "a"));
                    i += 6;
                    break;
                case "e" when i + 7 < lines.Length && Long(lines[i + 1], out var ev) && Long(lines[i + 2], out var after) && Long(lines[i + 3], out var ts):
                    records.Add(new StoredEvent(ev, after, lines[i + 4], lines[i + 5], NullIfEmpty(lines[i + 6]), NullIfEmpty(lines[i + 7]), node,
                        DateTimeOffset.FromUnixTimeMilliseconds(ts)));
                    i += 8;
                    break;
                default:
                    return null;
            }
        }
        return new RoomChunk(room, node, fromSeq, toSeq, fromEv, toEv, records);
    }

    private static bool Long(string text, out long value) => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;
}
