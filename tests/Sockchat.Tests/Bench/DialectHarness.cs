using System.Text;
using Sockchat.Bench;

namespace Sockchat.Tests.Bench;

/// <summary>What a dialect made of one server line: its kind, the payload range as text, and the reply as text.</summary>
internal sealed record DialectRead(LineKind Kind, string Payload, string? Reply);

/// <summary>Helpers for the dialect tests: lines as UTF-8, payloads as the generator encodes them.</summary>
internal static class DialectHarness
{
    /// <summary>Reads <paramref name="line"/> (no line ending) with <paramref name="dialect"/> for <paramref name="session"/>.</summary>
    public static DialectRead Read(this ChatDialect dialect, string line, DialectSession session)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        var kind = dialect.Read(bytes, session, out var payload, out var reply);
        return new DialectRead(kind, Encoding.UTF8.GetString(bytes[payload]), reply is null ? null : Encoding.UTF8.GetString(reply));
    }

    /// <summary>A 64-byte payload from <paramref name="sender"/>, as text.</summary>
    public static string PayloadText(int sender, long sequence, long ticks = 123_456)
    {
        var buffer = new byte[64];
        var length = Sockchat.Bench.Payload.Encode(new PayloadInfo(sender, sequence, ticks), 64, buffer);
        return Encoding.ASCII.GetString(buffer, 0, length);
    }

    /// <summary>True when <paramref name="text"/> is one intact 64-byte payload of <paramref name="sender"/> and <paramref name="sequence"/>.</summary>
    public static bool IsPayloadOf(string text, int sender, long sequence) =>
        Sockchat.Bench.Payload.TryParse(Encoding.ASCII.GetBytes(text), 64, out var info) && info.Sender == sender && info.Sequence == sequence;

    public static DialectSession Session(int clientIndex = 0, bool isSender = false, string? room = null) => new(clientIndex, isSender, room);
}
