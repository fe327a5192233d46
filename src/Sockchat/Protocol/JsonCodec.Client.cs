using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Sockchat.Protocol;

public static partial class JsonCodec
{
    /// <summary>A line whose UTF-8 form can need up to this many bytes (about 340 characters) is transcoded on the stack; a longer one into a pooled buffer.</summary>
    private const int StackallocBytes = 1024;

    /// <summary>
    /// Parses one line (without its newline) from a JSON-dialect client, by the rules on
    /// <see cref="JsonCodec"/> and <see cref="ParseClientObject"/>. Never throws: null, and text
    /// holding a lone surrogate (which no line off the wire can, being decoded with replacement),
    /// are <c>bad_frame</c> "the text is not valid Unicode".
    /// </summary>
    public static ClientFrame ParseClientFrame(string line)
    {
        if (line is null)
        {
            return BadFrame("not valid JSON: the text is not valid Unicode", null);
        }
        var maxBytes = Encoding.UTF8.GetMaxByteCount(line.Length);
        byte[]? rented = null;
        var buffer = maxBytes <= StackallocBytes ? stackalloc byte[maxBytes] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        var written = 0;
        try
        {
            return Utf8.FromUtf16(line, buffer, out _, out written, replaceInvalidSequences: false) == OperationStatus.Done
                ? ParseValidUtf8(buffer[..written])
                : BadFrame("not valid JSON: the text is not valid Unicode", null);
        }
        finally
        {
            if (rented is not null)
            {
                // The line may hold a password: leave none of it in the pool.
                rented.AsSpan(0, written).Clear();
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Parses one line (without its newline) from a JSON-dialect client, straight from its bytes. Never throws.
    /// Invalid UTF-8 is read as <see cref="TextSanitizer.Decode"/> reads it (replaced by U+FFFD), so the
    /// result is the same as parsing the decoded line.
    /// </summary>
    public static ClientFrame ParseClientFrame(ReadOnlySpan<byte> utf8Line) =>
        Utf8.IsValid(utf8Line) ? ParseValidUtf8(utf8Line) : ParseClientFrame(Encoding.UTF8.GetString(utf8Line));

    private static ClientFrame ParseValidUtf8(ReadOnlySpan<byte> utf8)
    {
        ClientFields fields;
        try
        {
            fields = ClientFields.Read(utf8);
        }
        catch (JsonException ex)
        {
            return BadFrame($"not valid JSON: {ex.Message}", null);
        }
        if (!fields.IsObject)
        {
            return BadFrame("a frame must be a JSON object", null);
        }
        try
        {
            return ParseClientObject(in fields);
        }
        catch (InvalidOperationException)
        {
            // A string escape that is not valid UTF-16 (a lone surrogate such as \ud800).
            return BadFrame("a string holds an invalid \\u escape", null);
        }
    }

    /// <summary>
    /// The checks on a client object, in order; the first that fails is the answer, a
    /// <c>bad_frame</c> that carries the frame's id when the id itself is valid (hello's own
    /// checks, of its name and its since, answer without one: a hello has no id).
    /// <list type="number">
    /// <item>id, when present, is a string or a number (else the error has no id);</item>
    /// <item>no property name holds an escape that is not valid UTF-16;</item>
    /// <item>type is a string;</item>
    /// <item>every known field present is of its type, whatever the frame's type uses: strings
    /// (name, room, text, to, password, reason), booleans (presence, presenceNotices, action),
    /// whole numbers (before and after 0 or more, limit 1 or more), since a whole number 0 or more
    /// for join and an object for every other type;</item>
    /// <item>history's before and after are not both given;</item>
    /// <item>the fields the type requires are there (say: text; dm: to and text; join: room;
    /// nick: name; hello: name);</item>
    /// <item>hello's since maps each room to a whole number 0 or more (the error names the first room
    /// that does not).</item>
    /// </list>
    /// Null is the same as absent throughout. A string value holding an invalid <c>\u</c> escape is
    /// found only when the type reads it, and is <c>bad_frame</c> too.
    /// </summary>
    private static ClientFrame ParseClientObject(in ClientFields fields)
    {
        if (fields.Kind(Field.Id) is not (JsonTokenType.None or JsonTokenType.Null or JsonTokenType.String or JsonTokenType.Number))
        {
            return BadFrame("\"id\" must be a string or a number", null);
        }
        if (fields.HasBadName)
        {
            return BadFrame("a property name holds an invalid \\u escape", fields.Id());
        }
        if (fields.Kind(Field.Type) != JsonTokenType.String)
        {
            return BadFrame("a frame needs a string \"type\"", fields.Id());
        }
        var type = fields.Type();
        for (var field = Field.Name; field <= Field.Reason; field++)
        {
            if (fields.Kind(field) is not (JsonTokenType.None or JsonTokenType.Null or JsonTokenType.String))
            {
                return BadFrame($"\"{FieldText(field)}\" must be a string", fields.Id());
            }
        }
        for (var field = Field.Presence; field <= Field.Action; field++)
        {
            if (fields.Kind(field) is not (JsonTokenType.None or JsonTokenType.Null or JsonTokenType.True or JsonTokenType.False))
            {
                return BadFrame($"\"{FieldText(field)}\" must be true or false", fields.Id());
            }
        }
        // "since" is a seq for join and an object for hello; for other types it is checked as hello's.
        var (first, last) = type == ClientType.Join ? (Field.Since, Field.Since) : (Field.Before, Field.Limit);
        for (var field = first; field <= last; field++)
        {
            var least = field == Field.Limit ? 1 : 0;
            if (fields.Kind(field) is not (JsonTokenType.None or JsonTokenType.Null) && !(fields.Int64(field) >= least))
            {
                return BadFrame($"\"{FieldText(field)}\" must be a whole number, {least} or more", fields.Id());
            }
        }
        if (type != ClientType.Join && fields.Kind(Field.Since) is not (JsonTokenType.None or JsonTokenType.Null or JsonTokenType.StartObject))
        {
            return BadFrame("\"since\" must be an object of room: seq", fields.Id());
        }
        if (fields.Int64(Field.Before) is not null && fields.Int64(Field.After) is not null)
        {
            return BadFrame("\"before\" and \"after\" cannot be used together", fields.Id());
        }
        return type switch
        {
            ClientType.Hello => ParseHello(in fields),
            ClientType.Say => fields.String(Field.Text) is { } text
                ? new SayFrame(fields.String(Field.Room), TextSanitizer.Clean(text), fields.Id(), fields.Bool(Field.Action) ?? false)
                : Required(Field.Text, fields.Id()),
            ClientType.Dm => fields.String(Field.To) is not { } to ? Required(Field.To, fields.Id())
                : fields.String(Field.Text) is not { } text ? Required(Field.Text, fields.Id())
                : new DmFrame(to, TextSanitizer.Clean(text), fields.Id()),
            ClientType.Join => fields.String(Field.Room) is { } room ? new JoinFrame(room, fields.Int64(Field.Since)) : Required(Field.Room, fields.Id()),
            ClientType.Part => new PartFrame(fields.String(Field.Room)),
            ClientType.Nick => fields.String(Field.Name) is { } name ? new NickFrame(name) : Required(Field.Name, fields.Id()),
            ClientType.Who => new WhoFrame(fields.String(Field.Room)),
            ClientType.Rooms => new RoomsFrame(),
            ClientType.History => new HistoryFrame(fields.String(Field.Room), fields.Int64(Field.Before), fields.Int64(Field.After),
                fields.Int64(Field.Limit) is { } limit ? (int)Math.Min(limit, int.MaxValue) : null),
            ClientType.Ping => new PingFrame(fields.Id()),
            ClientType.Pong => new PongReplyFrame(fields.Id()),
            ClientType.Quit => new QuitFrame(fields.String(Field.Reason) is { } reason ? TextSanitizer.Clean(reason) : null),
            _ => new UnknownFrame(TextSanitizer.Clean(fields.String(Field.Type)!), fields.Id()),
        };
    }

    private static ClientFrame ParseHello(in ClientFields fields)
    {
        if (fields.String(Field.Name) is not { } name)
        {
            return BadFrame("hello needs a \"name\"", null);
        }
        var since = fields.Since(out var badRoom);
        if (badRoom is not null)
        {
            var shown = TextSanitizer.Clean(badRoom);
            shown = shown.Length > ProtocolLimits.MaxRoomLength ? shown[..ProtocolLimits.MaxRoomLength] + "…" : shown;
            return BadFrame($"\"since\" must map each room to a whole number, 0 or more (\"{shown}\" does not)", null);
        }
        return new HelloFrame(name, fields.String(Field.Room), fields.String(Field.Password), fields.Bool(Field.Presence) ?? true, since,
            fields.Bool(Field.PresenceNotices) ?? true);
    }

    private static InvalidFrame Required(Field field, FrameId? id) => BadFrame($"\"{FieldText(field)}\" is required", id);

    private static InvalidFrame BadFrame(string message, FrameId? id) => new(ErrorCodes.BadFrame, message, id);

    private static string FieldText(Field field) => Encoding.ASCII.GetString(FieldName(field));

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
            if (!f.PresenceNotices) w.WriteBoolean("presenceNotices", false);
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
