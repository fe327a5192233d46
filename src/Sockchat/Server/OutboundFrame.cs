using System.Text;
using Sockchat.Protocol;

namespace Sockchat.Server;

/// <summary>
/// A server frame with its wire forms, each encoded at most once however many recipients share
/// it: the JSON line, and the text dialect's lines with and without the room. A broadcast
/// builds one of these and hands the same bytes to every member's <see cref="Outbox"/>.
/// Concurrent first use may encode twice; both results are equal, so no lock is needed.
/// </summary>
public sealed class OutboundFrame(ServerFrame frame, TextRenderer renderer)
{
    private byte[]? _json;
    private byte[]? _text;
    private byte[]? _textWithRoom;

    public ServerFrame Frame { get; } = frame;

    public byte[] Json => _json ??= JsonCodec.Encode(Frame);

    public byte[] Text(bool withRoom) => withRoom
        ? _textWithRoom ??= EncodeText(true)
        : _text ??= EncodeText(false);

    private byte[] EncodeText(bool withRoom)
    {
        var lines = renderer.Render(Frame, withRoom);
        if (lines.Count == 0)
        {
            return [];
        }
        var sb = new StringBuilder();
        foreach (var line in lines)
        {
            sb.Append(line).Append('\n');
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
