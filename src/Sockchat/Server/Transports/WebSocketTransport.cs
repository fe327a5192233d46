using System.Net;
using System.Net.WebSockets;

namespace Sockchat.Server.Transports;

/// <summary>
/// A WebSocket (the web port's <c>/ws</c>, subprotocol <c>sockchat.v1</c>): one JSON frame per text
/// message each way. To the session it looks like any line transport: each received message is
/// one line (its end is the newline), and each line written goes out as one message. Frames,
/// masking, pings and the close handshake are the <see cref="WebSocket"/>'s business.
/// A binary message is refused by closing with 1003 (the protocol is text); invalid UTF-8 is
/// closed by the WebSocket itself with 1007.
/// <para>
/// With a <see cref="FrameBatchStream"/> under the socket (the web port puts one there), a write
/// of several lines still sends each as its own message, but the frames reach the connection in
/// one write and one flush, as the TCP transport sends a batch in one send (issue 10).
/// </para>
/// </summary>
/// <param name="batch">The stream the socket writes to, when it can batch; null: one write per frame.</param>
public sealed class WebSocketTransport(WebSocket socket, IPEndPoint? remoteEndPoint, FrameBatchStream? batch = null) : ClientTransport
{
    private bool _newlineOwed;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string _closeReason = "goodbye";

    public override IPEndPoint? RemoteEndPoint { get; } = remoteEndPoint;

    public override string Kind => "websocket";

    public override Dialect Dialect => Dialect.Json;

    /// <summary>The WebSocket holds its own receive buffer; the read loop's buffer is the only one that waits.</summary>
    public override ValueTask<int> WaitForDataAsync(CancellationToken cancellationToken) => ValueTask.FromResult(0);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_newlineOwed)
        {
            _newlineOwed = false;
            buffer.Span[0] = (byte)'\n';
            return 1;
        }
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            switch (result.MessageType)
            {
                case WebSocketMessageType.Close:
                    return 0;
                case WebSocketMessageType.Binary:
                    _closeStatus = WebSocketCloseStatus.InvalidMessageType;
                    _closeReason = "sockchat.v1 takes text messages, one JSON frame each";
                    return 0;
            }
            if (result.EndOfMessage)
            {
                if (result.Count < buffer.Length)
                {
                    buffer.Span[result.Count] = (byte)'\n';
                    return result.Count + 1;
                }
                _newlineOwed = true;
            }
            if (result.Count > 0)
            {
                return result.Count;
            }
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> lines, CancellationToken cancellationToken)
    {
        if (batch is null || lines.IsEmpty)
        {
            while (!lines.IsEmpty)
            {
                await SendLineAsync(NextLine(ref lines), cancellationToken);
            }
            return;
        }
        // Every frame but the last is held by the stream (those sends complete at once); the last,
        // sent after EndBatch, writes them all. The batch ends even if a send fails, so that a
        // close frame sent afterwards is not held.
        batch.BeginBatch();
        try
        {
            var line = NextLine(ref lines);
            while (!lines.IsEmpty)
            {
                await SendLineAsync(line, cancellationToken);
                line = NextLine(ref lines);
            }
            batch.EndBatch();
            await SendLineAsync(line, cancellationToken);
        }
        finally
        {
            batch.EndBatch();
        }
    }

    /// <summary>The first line of <paramref name="lines"/> without its newline; <paramref name="lines"/> moves past it.</summary>
    private static ReadOnlyMemory<byte> NextLine(ref ReadOnlyMemory<byte> lines)
    {
        var end = lines.Span.IndexOf((byte)'\n');
        var line = end < 0 ? lines : lines[..end];
        lines = end < 0 ? default : lines[(end + 1)..];
        return line;
    }

    /// <summary>One line as one text message (sockchat.v1: one frame per message).</summary>
    private ValueTask SendLineAsync(ReadOnlyMemory<byte> line, CancellationToken cancellationToken) =>
        socket.SendAsync(line, WebSocketMessageType.Text, WebSocketMessageFlags.EndOfMessage, cancellationToken);

    public override async ValueTask CloseOutputAsync(CancellationToken cancellationToken)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await socket.CloseOutputAsync(_closeStatus, _closeReason, cancellationToken);
        }
    }

    public override bool IsConnectionError(Exception ex) =>
        base.IsConnectionError(ex) || ex is WebSocketException or OperationCanceledException;

    public override ValueTask DisposeAsync()
    {
        socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
