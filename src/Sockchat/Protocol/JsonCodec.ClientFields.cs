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
    /// The pass only notes where the last value of each known field lies; a value is decoded when the
    /// rules ask for it, so a frame allocates strings only for the fields its type uses.
    /// <para>Every getter behaves as <c>JsonElement.TryGetProperty</c> followed by a read did in the
    /// JsonDocument-based parser this replaces: the last of repeated properties wins, escaped names
    /// match, and reading a string holding half a surrogate pair (<c>\ud800</c>) throws
    /// <see cref="InvalidOperationException"/>. So does looking up a field past a property name that
    /// holds one, when JsonDocument's lookup would have unescaped that name (see <see cref="NoteBadName"/>).</para>
    /// </summary>
    private ref struct ClientFields
    {
        private readonly ReadOnlySpan<byte> _utf8;
        private Slots _slots;

        private ClientFields(ReadOnlySpan<byte> utf8) => _utf8 = utf8;

        /// <summary>False when the line holds valid JSON that is not an object.</summary>
        public bool IsObject { get; private set; }

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
            var ordinal = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                ordinal++;
                var field = MatchName(ref reader, ordinal);
                reader.Read();
                if (field != Field.None)
                {
                    ref var slot = ref _slots[(int)field];
                    slot.Ordinal = ordinal;
                    slot.Token = reader.TokenType;
                    slot.Start = (int)reader.TokenStartIndex;
                    slot.Length = reader.ValueSpan.Length;
                    slot.Escaped = reader.ValueIsEscaped;
                    slot.IsInt64 = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out slot.Number);
                }
                reader.Skip();
            }
        }

        private Field MatchName(ref Utf8JsonReader reader, int ordinal)
        {
            if (!reader.ValueIsEscaped)
            {
                return FieldOf(reader.ValueSpan);
            }
            if (!UnescapesCleanly(ref reader))
            {
                NoteBadName(reader.ValueSpan, ordinal);
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
        /// come here; unescaping them is the runtime's own check, the one JsonDocument's lookups made.
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

        /// <summary>
        /// JsonDocument's TryGetProperty scanned the properties from the last one back and unescaped an
        /// escaped name on the way only when it could be the one sought: longer (raw) than the name sought,
        /// with its part before the first backslash a proper prefix of it. Unescaping a name holding half a
        /// surrogate pair threw.
        /// So note, for each field such a name could be taken for, the last property holding one: a lookup
        /// of that field throws when that property comes after the field's own last one.
        /// </summary>
        private void NoteBadName(ReadOnlySpan<byte> raw, int ordinal)
        {
            var backslash = raw.IndexOf((byte)'\\');
            for (var field = (Field)0; field < Field.None; field++)
            {
                var name = FieldName(field);
                if (raw.Length > name.Length && backslash < name.Length && raw[..backslash].SequenceEqual(name[..backslash]))
                {
                    _slots[(int)field].BadOrdinal = ordinal;
                }
            }
        }

        private readonly Slot Look(Field field)
        {
            var slot = _slots[(int)field];
            return slot.BadOrdinal > slot.Ordinal
                ? throw new InvalidOperationException("a property name before the field holds an invalid \\u escape")
                : slot;
        }

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

        /// <summary>The entries of a <c>since</c> object whose values are whole numbers; null when it is not an object.</summary>
        public readonly Dictionary<string, long>? Since()
        {
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
                var name = reader;
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var seq))
                {
                    since[name.GetString()!] = seq;
                }
                reader.Skip();
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
        /// <summary>Position (from 1) among the object's properties; 0 when the field is absent.</summary>
        public int Ordinal;
        /// <summary>Position of the last property whose name holds an invalid escape and could be taken for this field (see NoteBadName).</summary>
        public int BadOrdinal;
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
