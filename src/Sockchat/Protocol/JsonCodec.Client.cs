using System.Text.Json;

namespace Sockchat.Protocol;

public static partial class JsonCodec
{
    /// <summary>Parses one line from a JSON-dialect client. Never throws.</summary>
    public static ClientFrame ParseClientFrame(string line)
    {
        if (!TryParseObject(line, out var document, out var problem))
        {
            return new InvalidFrame(ErrorCodes.BadFrame, problem!, null);
        }
        using (document)
        {
            try
            {
                return ParseClientObject(document!.RootElement);
            }
            catch (InvalidOperationException)
            {
                // A string escape that is not valid UTF-16 (a lone surrogate such as \ud800).
                return new InvalidFrame(ErrorCodes.BadFrame, "a string holds an invalid \\u escape", null);
            }
        }
    }

    private static ClientFrame ParseClientObject(JsonElement obj)
    {
        {
            var id = GetId(obj);
            var type = GetString(obj, "type");
            if (type is null)
            {
                return new InvalidFrame(ErrorCodes.BadFrame, "a frame needs a string \"type\"", id);
            }
            foreach (var field in new[] { "name", "room", "text", "to", "password", "reason" })
            {
                if (IsPresentButNotString(obj, field))
                {
                    return new InvalidFrame(ErrorCodes.BadFrame, $"\"{field}\" must be a string", id);
                }
            }
            foreach (var field in new[] { "presence", "action" })
            {
                if (IsPresentButNot(obj, field, JsonValueKind.True, JsonValueKind.False))
                {
                    return new InvalidFrame(ErrorCodes.BadFrame, $"\"{field}\" must be true or false", id);
                }
            }
            foreach (var field in type == "join" ? ["since"] : new[] { "before", "after", "limit" })
            {
                if (IsPresentButNot(obj, field, JsonValueKind.Number) || (obj.TryGetProperty(field, out var n) && n.ValueKind == JsonValueKind.Number && !n.TryGetInt64(out _)))
                {
                    return new InvalidFrame(ErrorCodes.BadFrame, $"\"{field}\" must be a whole number", id);
                }
            }
            if (type == "hello" && IsPresentButNot(obj, "since", JsonValueKind.Object))
            {
                return new InvalidFrame(ErrorCodes.BadFrame, "\"since\" must be an object of room: seq", id);
            }
            return type switch
            {
                "hello" => ParseHello(obj),
                "say" => Require(obj, "text", id, text => new SayFrame(GetString(obj, "room"), text, id, GetBool(obj, "action") ?? false)),
                "dm" => Require(obj, "to", id, to => Require(obj, "text", id, text => new DmFrame(to, text, id))),
                "join" => Require(obj, "room", id, room => new JoinFrame(room, GetInt64(obj, "since"))),
                "part" => new PartFrame(GetString(obj, "room")),
                "nick" => Require(obj, "name", id, name => new NickFrame(name)),
                "who" => new WhoFrame(GetString(obj, "room")),
                "rooms" => new RoomsFrame(),
                "history" => new HistoryFrame(GetString(obj, "room"), GetInt64(obj, "before"), GetInt64(obj, "after"),
                    GetInt64(obj, "limit") is { } limit ? (int)Math.Clamp(limit, 0, int.MaxValue) : null),
                "ping" => new PingFrame(id),
                "pong" => new PongReplyFrame(id),
                "quit" => new QuitFrame(GetCleanString(obj, "reason")),
                _ => new UnknownFrame(TextSanitizer.Clean(type), id),
            };
        }
    }

    private static ClientFrame Require(JsonElement obj, string field, FrameId? id, Func<string, ClientFrame> build) =>
        GetString(obj, field) is { } value
            ? build(field is "text" ? TextSanitizer.Clean(value) : value)
            : new InvalidFrame(ErrorCodes.BadFrame, $"\"{field}\" is required", id);

    private static ClientFrame ParseHello(JsonElement obj)
    {
        if (GetString(obj, "name") is not { } name)
        {
            return new InvalidFrame(ErrorCodes.BadFrame, "hello needs a \"name\"", null);
        }
        Dictionary<string, long>? since = null;
        if (obj.TryGetProperty("since", out var sinceElement) && sinceElement.ValueKind == JsonValueKind.Object)
        {
            since = [];
            foreach (var entry in sinceElement.EnumerateObject())
            {
                if (entry.Value.ValueKind == JsonValueKind.Number && entry.Value.TryGetInt64(out var seq))
                {
                    since[entry.Name] = seq;
                }
            }
        }
        return new HelloFrame(name, GetString(obj, "room"), GetString(obj, "password"), GetBool(obj, "presence") ?? true, since);
    }

    /// <summary>Encodes a client request (used by join, say and the tests).</summary>
    public static byte[] Encode(ClientFrame frame) => frame switch
    {
        HelloFrame f => Write(w =>
        {
            w.WriteString("type", "hello");
            w.WriteString("name", f.Name);
            if (f.Room is not null) w.WriteString("room", f.Room);
            if (f.Password is not null) w.WriteString("password", f.Password);
            if (!f.Presence) w.WriteBoolean("presence", false);
            if (f.Since is { Count: > 0 })
            {
                w.WriteStartObject("since");
                foreach (var (room, seq) in f.Since) w.WriteNumber(room, seq);
                w.WriteEndObject();
            }
        }),
        SayFrame f => Write(w =>
        {
            w.WriteString("type", "say");
            if (f.Room is not null) w.WriteString("room", f.Room);
            w.WriteString("text", f.Text);
            if (f.Action) w.WriteBoolean("action", true);
            WriteId(w, f.Id);
        }),
        DmFrame f => Write(w => { w.WriteString("type", "dm"); w.WriteString("to", f.To); w.WriteString("text", f.Text); WriteId(w, f.Id); }),
        JoinFrame f => Write(w => { w.WriteString("type", "join"); w.WriteString("room", f.Room); if (f.Since is { } since) w.WriteNumber("since", since); }),
        PartFrame f => Write(w => { w.WriteString("type", "part"); if (f.Room is not null) w.WriteString("room", f.Room); }),
        NickFrame f => Write(w => { w.WriteString("type", "nick"); w.WriteString("name", f.Name); }),
        WhoFrame f => Write(w => { w.WriteString("type", "who"); if (f.Room is not null) w.WriteString("room", f.Room); }),
        RoomsFrame => Write(w => w.WriteString("type", "rooms")),
        HistoryFrame f => Write(w =>
        {
            w.WriteString("type", "history");
            if (f.Room is not null) w.WriteString("room", f.Room);
            if (f.Before is { } before) w.WriteNumber("before", before);
            if (f.After is { } after) w.WriteNumber("after", after);
            if (f.Limit is { } limit) w.WriteNumber("limit", limit);
        }),
        PingFrame f => Write(w => { w.WriteString("type", "ping"); WriteId(w, f.Id); }),
        PongReplyFrame f => Write(w => { w.WriteString("type", "pong"); WriteId(w, f.Id); }),
        QuitFrame f => Write(w => { w.WriteString("type", "quit"); if (f.Reason is not null) w.WriteString("reason", f.Reason); }),
        UnknownFrame f => Write(w => { w.WriteString("type", f.Type); WriteId(w, f.Id); }),
        _ => throw new ArgumentException($"{frame.GetType().Name} has no JSON form", nameof(frame)),
    };
}
