namespace Sockchat.Protocol;

public static partial class JsonCodec
{
    /// <summary>
    /// The top-level fields the client rules look at, in the order the rules first look at them
    /// (the ranges Name..Reason, Presence..Action and Before..Limit are checked together).
    /// </summary>
    private enum Field
    {
        Id,
        Type,
        Name,
        Room,
        Text,
        To,
        Password,
        Reason,
        Presence,
        PresenceNotices,
        Action,
        Since,
        Before,
        After,
        Limit,
        /// <summary>Any other property; also the number of fields.</summary>
        None,
    }

    /// <summary>The values of a client frame's <c>"type"</c>.</summary>
    private enum ClientType
    {
        Unknown,
        Hello,
        Say,
        Dm,
        Join,
        Part,
        Nick,
        Who,
        Rooms,
        History,
        Ping,
        Pong,
        Quit,
    }

    private static ReadOnlySpan<byte> FieldName(Field field) => field switch
    {
        Field.Id => "id"u8,
        Field.Type => "type"u8,
        Field.Name => "name"u8,
        Field.Room => "room"u8,
        Field.Text => "text"u8,
        Field.To => "to"u8,
        Field.Password => "password"u8,
        Field.Reason => "reason"u8,
        Field.Presence => "presence"u8,
        Field.PresenceNotices => "presenceNotices"u8,
        Field.Action => "action"u8,
        Field.Since => "since"u8,
        Field.Before => "before"u8,
        Field.After => "after"u8,
        Field.Limit => "limit"u8,
        _ => [],
    };

    /// <summary>The field an unescaped property name names.</summary>
    private static Field FieldOf(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 => name.SequenceEqual("id"u8) ? Field.Id : name.SequenceEqual("to"u8) ? Field.To : Field.None,
        4 => name.SequenceEqual("type"u8) ? Field.Type
            : name.SequenceEqual("text"u8) ? Field.Text
            : name.SequenceEqual("room"u8) ? Field.Room
            : name.SequenceEqual("name"u8) ? Field.Name
            : Field.None,
        5 => name.SequenceEqual("since"u8) ? Field.Since
            : name.SequenceEqual("after"u8) ? Field.After
            : name.SequenceEqual("limit"u8) ? Field.Limit
            : Field.None,
        6 => name.SequenceEqual("action"u8) ? Field.Action
            : name.SequenceEqual("reason"u8) ? Field.Reason
            : name.SequenceEqual("before"u8) ? Field.Before
            : Field.None,
        8 => name.SequenceEqual("password"u8) ? Field.Password : name.SequenceEqual("presence"u8) ? Field.Presence : Field.None,
        15 => name.SequenceEqual("presenceNotices"u8) ? Field.PresenceNotices : Field.None,
        _ => Field.None,
    };

    /// <summary>The type an unescaped type string names.</summary>
    private static ClientType TypeOf(ReadOnlySpan<byte> type) =>
        type.SequenceEqual("say"u8) ? ClientType.Say
        : type.SequenceEqual("ping"u8) ? ClientType.Ping
        : type.SequenceEqual("pong"u8) ? ClientType.Pong
        : type.SequenceEqual("dm"u8) ? ClientType.Dm
        : type.SequenceEqual("history"u8) ? ClientType.History
        : type.SequenceEqual("join"u8) ? ClientType.Join
        : type.SequenceEqual("part"u8) ? ClientType.Part
        : type.SequenceEqual("who"u8) ? ClientType.Who
        : type.SequenceEqual("rooms"u8) ? ClientType.Rooms
        : type.SequenceEqual("nick"u8) ? ClientType.Nick
        : type.SequenceEqual("hello"u8) ? ClientType.Hello
        : type.SequenceEqual("quit"u8) ? ClientType.Quit
        : ClientType.Unknown;
}
