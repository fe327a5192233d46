using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sockchat.Protocol;

/// <summary>
/// The optional <c>id</c> a client puts on a request, kept as its raw JSON token so that it is
/// echoed back exactly as sent (a string or a number).
/// </summary>
public readonly record struct FrameId(string RawJson)
{
    public static FrameId FromString(string value) => new(JsonSerializer.Serialize(value, FrameIdJsonContext.Default.String));

    /// <summary>The id as text: a string's value, or a number's digits.</summary>
    public string Text => RawJson.StartsWith('"') ? JsonSerializer.Deserialize(RawJson, FrameIdJsonContext.Default.String) ?? "" : RawJson;

    public override string ToString() => Text;
}

/// <summary>Source-generated (reflection-free, trim- and AOT-safe) serialization of the id's string form.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class FrameIdJsonContext : JsonSerializerContext;
