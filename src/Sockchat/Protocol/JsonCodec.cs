using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Sockchat.Protocol;

/// <summary>
/// The JSON dialect (docs/protocol.md): one JSON object per line, each with a <c>"type"</c>.
/// <list type="bullet">
/// <item>Encoding writes compact UTF-8 JSON followed by <c>\n</c>; a frame is encoded once and the
/// same bytes go to every recipient.</item>
/// <item>Reading a client's line (<see cref="ParseClientFrame(string)"/>) is strict and total: every
/// line gives exactly one frame and nothing throws. A line that is not one JSON object (trailing
/// text, nesting deeper than 16, a lone surrogate included) is an <see cref="InvalidFrame"/>
/// <c>bad_frame</c>; so is a known field of the wrong JSON type or range, naming the field. An
/// unknown type is an <see cref="UnknownFrame"/>, answered rather than disconnected. Unknown
/// fields are ignored so the protocol can grow, null is the same as absent, and of a repeated
/// field the last counts. Free text (<c>text</c>, <c>reason</c>) comes back cleaned with
/// <see cref="TextSanitizer.Clean"/>; names and rooms come back as sent, for <see cref="Names"/>
/// to judge.</item>
/// <item>Reading the server's line (<see cref="ParseServerFrame"/>) is lenient: anything but an
/// object of a known type is null, to be ignored, and every string is cleaned again.</item>
/// </list>
/// Split by direction: JsonCodec.Server.cs (server to client) and JsonCodec.Client.cs (client to server,
/// read in one pass by JsonCodec.ClientFields.cs, with the names in JsonCodec.ClientNames.cs).
/// </summary>
public static partial class JsonCodec
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Non-ASCII text of the Basic Multilingual Plane is sent as UTF-8, not \u escapes; characters
        // beyond it (emoji) are escaped as surrogate pairs by this encoder, which is valid JSON.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    /// <summary>Formats a timestamp as RFC 3339 UTC with milliseconds, e.g. 2026-11-22T10:15:30.123Z.</summary>
    public static string FormatTimestamp(DateTimeOffset ts)
    {
        Span<byte> utf8 = stackalloc byte[TimestampLength];
        FormatTimestamp(ts, utf8);
        return Encoding.ASCII.GetString(utf8);
    }

    private const int TimestampLength = 24;

    /// <summary>Writes the timestamp as its 24 ASCII bytes (every message carries one: no format string parsed per frame).</summary>
    private static void FormatTimestamp(DateTimeOffset ts, Span<byte> utf8)
    {
        var t = ts.UtcDateTime;
        Digits(utf8[..4], t.Year);
        utf8[4] = (byte)'-';
        Digits(utf8.Slice(5, 2), t.Month);
        utf8[7] = (byte)'-';
        Digits(utf8.Slice(8, 2), t.Day);
        utf8[10] = (byte)'T';
        Digits(utf8.Slice(11, 2), t.Hour);
        utf8[13] = (byte)':';
        Digits(utf8.Slice(14, 2), t.Minute);
        utf8[16] = (byte)':';
        Digits(utf8.Slice(17, 2), t.Second);
        utf8[19] = (byte)'.';
        Digits(utf8.Slice(20, 3), t.Millisecond);
        utf8[23] = (byte)'Z';

        static void Digits(Span<byte> into, int value)
        {
            for (var i = into.Length - 1; i >= 0; i--)
            {
                into[i] = (byte)('0' + value % 10);
                value /= 10;
            }
        }
    }

    private static void WriteTimestamp(Utf8JsonWriter w, DateTimeOffset ts)
    {
        Span<byte> utf8 = stackalloc byte[TimestampLength];
        FormatTimestamp(ts, utf8);
        w.WriteString("ts"u8, utf8);
    }

    /// <summary>True when a line looks like a JSON object (the first line of a JSON-dialect client).</summary>
    public static bool LooksLikeJsonObject(string line) => line.TrimStart().StartsWith('{');

    // One buffer and writer per thread, reset for each frame: encoding allocates only the result.
    // Safe because no encoder calls Write again while writing.
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    private static byte[] Write(Action<Utf8JsonWriter> body) => Write(body, static (w, b) => b(w));

    /// <summary>As <see cref="Write(Action{Utf8JsonWriter})"/>, for hot frames: a static body and its state, no closure.</summary>
    private static byte[] Write<TState>(TState state, Action<Utf8JsonWriter, TState> body)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        writer.WriteStartObject();
        body(writer, state);
        writer.WriteEndObject();
        writer.Flush();
        var bytes = new byte[buffer.WrittenCount + 1];
        buffer.WrittenSpan.CopyTo(bytes);
        bytes[^1] = (byte)'\n';
        return bytes;
    }

    private static void WriteId(Utf8JsonWriter w, FrameId? id)
    {
        if (id is { } value)
        {
            w.WritePropertyName("id");
            w.WriteRawValue(value.RawJson, skipInputValidation: true);
        }
    }

    private static bool TryParseObject(string line, out JsonDocument? document, out string? problem)
    {
        document = null;
        try
        {
            document = JsonDocument.Parse(line, DocumentOptions);
        }
        catch (JsonException ex)
        {
            problem = $"not valid JSON: {ex.Message}";
            return false;
        }
        catch (ArgumentException)
        {
            // A string that is not valid UTF-16 (a lone surrogate): only API callers can pass one.
            problem = "not valid JSON: the text is not valid Unicode";
            return false;
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            document = null;
            problem = "a frame must be a JSON object";
            return false;
        }
        problem = null;
        return true;
    }

    private static string? GetString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? GetCleanString(JsonElement obj, string name) =>
        GetString(obj, name) is { } s ? TextSanitizer.Clean(s) : null;

    private static long? GetInt64(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : null;

    private static bool? GetBool(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        } : null;

    private static FrameId? GetId(JsonElement obj) =>
        obj.TryGetProperty("id", out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? new FrameId(value.GetRawText())
            : null;
}
