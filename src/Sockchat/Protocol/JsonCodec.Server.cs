using System.Text.Json;

namespace Sockchat.Protocol;

public static partial class JsonCodec
{
    /// <summary>Encodes a server frame as one JSON line (with its trailing <c>\n</c>).</summary>
    public static byte[] Encode(ServerFrame frame) => frame switch
    {
        WelcomeFrame f => Write(w =>
        {
            w.WriteString("type", "welcome");
            w.WriteString("name", f.Name);
            w.WriteStartObject("server");
            w.WriteString("name", f.ServerName);
            w.WriteString("version", f.ServerVersion);
            w.WriteNumber("protocol", ProtocolLimits.ProtocolVersion);
            w.WriteEndObject();
            w.WriteStartArray("rooms");
            foreach (var room in f.Rooms) w.WriteStringValue(room);
            w.WriteEndArray();
            w.WriteStartObject("limits");
            w.WriteNumber("maxLineBytes", f.MaxLineBytes);
            if (f.RatePerSecond > 0)
            {
                w.WriteNumber("messagesPerSecond", f.RatePerSecond);
                w.WriteNumber("burst", f.RateBurst);
            }
            w.WriteEndObject();
            if (f.Motd is not null) w.WriteString("motd", f.Motd);
        }),
        MsgFrame f => Write(f, WriteMsg),
        DmMessageFrame f => Write(w =>
        {
            w.WriteString("type", "dm");
            WriteTimestamp(w, f.Ts);
            w.WriteString("from", f.From);
            w.WriteString("to", f.To);
            w.WriteString("text", f.Text);
        }),
        JoinedFrame f => Write(w =>
        {
            w.WriteString("type", "joined");
            w.WriteString("room", f.Room);
            w.WriteString("name", f.Name);
            WriteNames(w, f.Names);
            WriteTimestamp(w, f.Ts);
        }),
        LeftFrame f => Write(w =>
        {
            w.WriteString("type", "left");
            w.WriteString("room", f.Room);
            w.WriteString("name", f.Name);
            WriteNames(w, f.Names);
            WriteTimestamp(w, f.Ts);
            if (f.Reason is not null) w.WriteString("reason", f.Reason);
        }),
        NickChangedFrame f => Write(w =>
        {
            w.WriteString("type", "nick");
            w.WriteString("old", f.Old);
            w.WriteString("new", f.New);
            WriteTimestamp(w, f.Ts);
        }),
        AckFrame f => Write(f, static (w, f) => { w.WriteString("type"u8, "ack"u8); WriteId(w, f.Id); if (f.Seq is { } seq) w.WriteNumber("seq"u8, seq); }),
        ErrorFrame f => Write(w => { w.WriteString("type", "error"); w.WriteString("code", f.Code); w.WriteString("message", f.Message); WriteId(w, f.Id); }),
        ShutdownFrame f => Write(w => { w.WriteString("type", "shutdown"); w.WriteString("reason", f.Reason); }),
        WhoReplyFrame f => Write(w =>
        {
            w.WriteString("type", "who");
            w.WriteString("room", f.Room);
            w.WriteStartArray("names");
            foreach (var name in f.Names) w.WriteStringValue(name);
            w.WriteEndArray();
        }),
        RoomsReplyFrame f => Write(w =>
        {
            w.WriteString("type", "rooms");
            w.WriteStartArray("rooms");
            foreach (var room in f.Rooms)
            {
                w.WriteStartObject();
                w.WriteString("name", room.Name);
                w.WriteNumber("members", room.Members);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }),
        HistoryReplyFrame f => Write(w =>
        {
            w.WriteString("type", "history");
            w.WriteString("room", f.Room);
            w.WriteStartArray("messages");
            foreach (var msg in f.Messages)
            {
                w.WriteStartObject();
                WriteMsg(w, msg);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }),
        PongFrame f => Write(w => { w.WriteString("type", "pong"); WriteId(w, f.Id); }),
        ServerPingFrame f => Write(w => { w.WriteString("type", "ping"); WriteId(w, f.Id); }),
        NoticeFrame f => Write(w => { w.WriteString("type", "notice"); w.WriteString("text", f.Text); }),
        GapFrame f => Write(w => { w.WriteString("type", "gap"); w.WriteString("room", f.Room); w.WriteNumber("from", f.From); w.WriteNumber("to", f.To); }),
        _ => throw new ArgumentException($"{frame.GetType().Name} has no JSON form", nameof(frame)),
    };

    /// <summary>A batched presence notice's <c>names</c> and <c>count</c>; nothing for a notice about one person.</summary>
    private static void WriteNames(Utf8JsonWriter w, IReadOnlyList<string>? names)
    {
        if (names is not { Count: > 1 })
        {
            return;
        }
        w.WriteStartArray("names"u8);
        foreach (var name in names) w.WriteStringValue(name);
        w.WriteEndArray();
        w.WriteNumber("count"u8, names.Count);
    }

    private static void WriteMsg(Utf8JsonWriter w, MsgFrame f)
    {
        w.WriteString("type"u8, "msg"u8);
        w.WriteString("room"u8, f.Room);
        w.WriteNumber("seq"u8, f.Seq);
        WriteTimestamp(w, f.Ts);
        w.WriteString("from"u8, f.From);
        w.WriteString("text"u8, f.Text);
        if (f.Action) w.WriteBoolean("action"u8, true);
        if (f.History) w.WriteBoolean("history"u8, true);
    }

    /// <summary>
    /// Parses one line from the server (the client side). Never throws. Returns null for anything
    /// that is not a JSON object with a known type, and for an <c>ack</c> without an id: clients
    /// ignore such lines, as the protocol asks. Within a known frame a missing or ill-typed field
    /// reads as a default (<c>""</c>, 0, an empty list, the default line limit, a <c>ts</c> of now) rather than failing the line.
    /// Every string is cleaned with <see cref="TextSanitizer.Clean"/>: a client never trusts the
    /// server to have done it.
    /// </summary>
    public static ServerFrame? ParseServerFrame(string line)
    {
        if (!LooksLikeJsonObject(line) || !TryParseObject(line, out var document, out _))
        {
            return null;
        }
        using (document)
        {
            var o = document!.RootElement;
            try
            {
                return GetString(o, "type") switch
                {
                    "welcome" => ParseWelcome(o),
                    "msg" => ParseMsg(o),
                    "dm" => new DmMessageFrame(Ts(o), Str(o, "from"), Str(o, "to"), Str(o, "text")),
                    "joined" => new JoinedFrame(Str(o, "room"), PresenceName(o), Ts(o), PresenceNames(o)),
                    "left" => new LeftFrame(Str(o, "room"), PresenceName(o), Ts(o), GetCleanString(o, "reason"), PresenceNames(o)),
                    "nick" => new NickChangedFrame(Str(o, "old"), Str(o, "new"), Ts(o)),
                    "ack" => GetId(o) is { } id ? new AckFrame(id, GetInt64(o, "seq")) : null,
                    "error" => new ErrorFrame(Str(o, "code"), Str(o, "message"), GetId(o)),
                    "shutdown" => new ShutdownFrame(GetCleanString(o, "reason") ?? "server shutting down"),
                    "who" => new WhoReplyFrame(Str(o, "room"), StrArray(o, "names")),
                    "rooms" => new RoomsReplyFrame(o.TryGetProperty("rooms", out var rooms) && rooms.ValueKind == JsonValueKind.Array
                        ? rooms.EnumerateArray().Select(r => new RoomInfo(Str(r, "name"), (int)(GetInt64(r, "members") ?? 0))).ToList()
                        : []),
                    "history" => new HistoryReplyFrame(Str(o, "room"),
                        o.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array
                            ? messages.EnumerateArray().Select(m => ParseMsg(m) with { History = true }).ToList()
                            : []),
                    "pong" => new PongFrame(GetId(o)),
                    "ping" => new ServerPingFrame(GetId(o)),
                    "notice" => new NoticeFrame(Str(o, "text")),
                    "gap" => new GapFrame(Str(o, "room"), GetInt64(o, "from") ?? 0, GetInt64(o, "to") ?? 0),
                    _ => null,
                };
            }
            catch (InvalidOperationException)
            {
                // A string holding an invalid \u escape (a lone surrogate).
                return null;
            }
        }
    }

    private static WelcomeFrame ParseWelcome(JsonElement o)
    {
        var server = o.TryGetProperty("server", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
        var limits = o.TryGetProperty("limits", out var l) && l.ValueKind == JsonValueKind.Object ? l : default;
        return new WelcomeFrame(
            Str(o, "name"),
            server.ValueKind == JsonValueKind.Object ? Str(server, "name") : "",
            server.ValueKind == JsonValueKind.Object ? Str(server, "version") : "",
            StrArray(o, "rooms"),
            limits.ValueKind == JsonValueKind.Object ? (int)(GetInt64(limits, "maxLineBytes") ?? ProtocolLimits.DefaultMaxLineBytes) : ProtocolLimits.DefaultMaxLineBytes,
            GetCleanString(o, "motd"),
            limits.ValueKind == JsonValueKind.Object ? (int)Math.Clamp(GetInt64(limits, "messagesPerSecond") ?? 0, 0, int.MaxValue) : 0,
            limits.ValueKind == JsonValueKind.Object ? (int)Math.Clamp(GetInt64(limits, "burst") ?? 0, 0, int.MaxValue) : 0);
    }

    private static MsgFrame ParseMsg(JsonElement o) =>
        new(Str(o, "room"), GetInt64(o, "seq") ?? 0, Ts(o), Str(o, "from"), Str(o, "text"), GetBool(o, "action") ?? false, GetBool(o, "history") ?? false);

    /// <summary>A presence notice's <c>name</c>, or the first of its <c>names</c> when a server sent only those.</summary>
    private static string PresenceName(JsonElement o) =>
        GetCleanString(o, "name") ?? (PresenceNames(o) is { } names ? names[0] : "");

    /// <summary>A batched notice's names (two or more); null for a notice about one person.</summary>
    private static IReadOnlyList<string>? PresenceNames(JsonElement o) => StrArray(o, "names") is { Count: > 1 } names ? names : null;

    private static string Str(JsonElement o, string name) => GetCleanString(o, name) ?? "";

    private static IReadOnlyList<string> StrArray(JsonElement o, string name) =>
        o.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => TextSanitizer.Clean(e.GetString()!)).ToList()
            : [];

    private static DateTimeOffset Ts(JsonElement o) =>
        GetString(o, "ts") is { } ts && DateTimeOffset.TryParse(ts, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : DateTimeOffset.UtcNow;
}
