using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Sockchat.Protocol;

public static partial class JsonCodec
{
    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        MaxDepth = 16,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    /// <summary>
    /// The top-level fields of a client frame, gathered in one forward pass over its UTF-8 bytes.
    /// <para>Contract: the line must be one JSON value and nothing else (<see cref="Read"/> throws
    /// <see cref="JsonException"/> otherwise). For an object, the pass notes where the last value of
    /// each known field (<see cref="Field"/>) lies and what kind of token it is; unknown fields are
    /// skipped without being decoded. Property names match after unescaping; a property name holding
    /// an escape that is not valid UTF-16 (half a surrogate pair, <c>\ud800</c>) sets
    /// <see cref="HasBadName"/>. The getters decode a value only when asked, so a frame allocates
    /// strings only for the fields its type uses; decoding a string value holding such an escape
    /// throws <see cref="InvalidOperationException"/>, which the caller answers with <c>bad_frame</c>.
    /// The getters never guess: a value of another kind than the getter reads is reported as absent,
    /// and the caller checks <see cref="Kind"/> first.</para>
    /// </summary>
    private ref struct ClientFields
    {
        private readonly ReadOnlySpan<byte> _utf8;
        private Slots _slots;

        private ClientFields(ReadOnlySpan<byte> utf8) => _utf8 = utf8;

        /// <summary>False when the line holds valid JSON that is not an object.</summary>
        public bool IsObject { get; private set; }

        /// <summary>True when a property name holds an escape that is not valid UTF-16.</summary>
        public bool HasBadName { get; private set; }

        /// <summary>Reads the whole line; throws <see cref="JsonException"/> for invalid JSON (trailing text included).</summary>
        public static ClientFields Read(ReadOnlySpan<byte> utf8)
        {
            var fields = new ClientFields(utf8);
            var reader = new Utf8JsonReader(utf8, ReaderOptions);
            reader.Read(); // throws for an empty line
            fields.IsObject = reader.TokenType == JsonTokenType.StartObject;
            if (fields.IsObject)
            {
                fields.ReadProperties(ref reader);
            }
            else
            {
                reader.Skip();
            }
            // Only whitespace may follow the value: the reader throws for anything else.
            _ = reader.Read();
            return fields;
        }

        private void ReadProperties(ref Utf8JsonReader reader)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = MatchName(ref reader);
                reader.Read();
                if (field != Field.None)
                {
                    // A repeated field: the last one counts.
                    ref var slot = ref _slots[(int)field];
                    slot.Token = reader.TokenType;
                    slot.Start = (int)reader.TokenStartIndex;
                    slot.Length = reader.ValueSpan.Length;
                    slot.Escaped = reader.ValueIsEscaped;
                    slot.IsInt64 = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out slot.Number);
                }
                reader.Skip();
            }
        }

        private Field MatchName(ref Utf8JsonReader reader)
        {
            if (!reader.ValueIsEscaped)
            {
                return FieldOf(reader.ValueSpan);
            }
            if (!UnescapesCleanly(ref reader))
            {
                HasBadName = true;
                return Field.None;
            }
            for (var field = (Field)0; field < Field.None; field++)
            {
                if (reader.ValueTextEquals(FieldName(field)))
                {
                    return field;
                }
            }
            return Field.None;
        }

        /// <summary>
        /// False when the escaped string at the reader holds half a surrogate pair. Only names with escapes
        /// come here (rare), and unescaping them into a scratch buffer is the runtime's own check.
        /// </summary>
        private static bool UnescapesCleanly(ref Utf8JsonReader reader)
        {
            var length = reader.ValueSpan.Length;
            byte[]? rented = null;
            var buffer = length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(length));
            try
            {
                reader.CopyString(buffer);
                return true;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }

        private readonly Slot Look(Field field) => _slots[(int)field];

        /// <summary>The kind of the field's value; <see cref="JsonTokenType.None"/> when it is absent.</summary>
        public readonly JsonTokenType Kind(Field field) => Look(field).Token;

        public readonly string? String(Field field) => Look(field) is { Token: JsonTokenType.String } slot ? Decode(slot) : null;

        public readonly bool? Bool(Field field) => Look(field).Token switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => null,
        };

        public readonly long? Int64(Field field) => Look(field) is { IsInt64: true } slot ? slot.Number : null;

        /// <summary>The id as its raw JSON token, when it is a string or a number.</summary>
        public readonly FrameId? Id() => Look(Field.Id) switch
        {
            { Token: JsonTokenType.String } slot => new FrameId(Encoding.UTF8.GetString(_utf8.Slice(slot.Start, slot.Length + 2))),
            { Token: JsonTokenType.Number } slot => new FrameId(Encoding.UTF8.GetString(_utf8.Slice(slot.Start, slot.Length))),
            _ => null,
        };

        /// <summary>The frame's type, which the caller has checked is a string.</summary>
        public readonly ClientType Type()
        {
            var slot = Look(Field.Type);
            return slot.Escaped ? TypeOf(Encoding.UTF8.GetBytes(Decode(slot))) : TypeOf(_utf8.Slice(slot.Start + 1, slot.Length));
        }

        /// <summary>
        /// The entries of a hello's <c>since</c> object (null when it is absent or null; the caller has
        /// checked that it is not another kind). Every value must be a whole number, 0 or more; the first
        /// that is not makes <paramref name="badRoom"/> its room. A repeated room keeps its last value.
        /// </summary>
        public readonly Dictionary<string, long>? Since(out string? badRoom)
        {
            badRoom = null;
            var slot = Look(Field.Since);
            if (slot.Token != JsonTokenType.StartObject)
            {
                return null;
            }
            var since = new Dictionary<string, long>();
            var reader = new Utf8JsonReader(_utf8[slot.Start..], ReaderOptions);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var room = reader.GetString()!;
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var seq) || seq < 0)
                {
                    badRoom = room;
                    return null;
                }
                since[room] = seq;
            }
            return since;
        }

        private readonly string Decode(in Slot slot)
        {
            if (!slot.Escaped)
            {
                return Encoding.UTF8.GetString(_utf8.Slice(slot.Start + 1, slot.Length));
            }
            var reader = new Utf8JsonReader(_utf8[slot.Start..], ReaderOptions);
            reader.Read();
            return reader.GetString()!;
        }
    }

    /// <summary>Where the last value of a field lies in the line, and what it is.</summary>
    private struct Slot
    {
        /// <summary>The value's token; <see cref="JsonTokenType.None"/> when the field is absent.</summary>
        public JsonTokenType Token;
        /// <summary>Offset of the value's first byte (a string's opening quote).</summary>
        public int Start;
        /// <summary>Length of the value (a string's without its quotes, still escaped).</summary>
        public int Length;
        public bool Escaped;
        public bool IsInt64;
        public long Number;
    }

    [InlineArray((int)Field.None)]
    private struct Slots
    {
        private Slot _first;
    }
}
