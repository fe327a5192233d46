using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;

namespace Sockchat.Bench;

/// <summary>
/// The WebSocket side of a client (the websocket dialect): a <see cref="ClientWebSocket"/> on the
/// web port's <c>/ws</c>, one JSON frame per text message each way. Its TCP connection is made by
/// a connect callback with the same socket options as a TCP client's (TCP_NODELAY, the source
/// address, a small kernel receive buffer for the client that stops reading), and kept in
/// <c>_socket</c> for the slow-reader check. Received messages are copied into the same line
/// buffer as a TCP client's, each followed by a '\n', so that deliveries and latency are counted
/// by the same code.
/// </summary>
public sealed partial class BenchClient
{
    private ClientWebSocket? _web;

    /// <summary>True when this client speaks over the WebSocket.</summary>
    public bool IsWebSocket => _dialect.IsWebSocket;

    private async Task<bool> ConnectWebSocketAsync(IPAddress? source, TimeSpan timeout, CancellationToken connectCancellation,
        CancellationToken cancellationToken, int? kernelReceiveBuffer)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, token) =>
            {
                var socket = NewSocket(source, kernelReceiveBuffer);
                _socket = socket;
                await socket.ConnectAsync(context.DnsEndPoint, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        var web = new ClientWebSocket();
        _web = web;
        web.Options.AddSubProtocol(WebSocketDialect.SubProtocol);
        web.Options.KeepAliveInterval = TimeSpan.Zero;
        // The frame reader's buffer: as big as a TCP client's read buffer, so a read takes what the kernel holds.
        web.Options.SetBuffer(_buffer.Length, 4096);
        // What a browser on the page sends (the server refuses other origins).
        web.Options.SetRequestHeader("Origin", _webUri!.GetLeftPart(UriPartial.Authority));
        var endpoint = new UriBuilder(_webUri) { Scheme = _webUri.Scheme == "https" ? "wss" : "ws", Path = "/ws" }.Uri;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(connectCancellation, cancellationToken);
            deadline.CancelAfter(timeout);
            using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
            await web.ConnectAsync(endpoint, invoker, deadline.Token);
            return true;
        }
        catch (Exception ex) when (ex is WebSocketException or SocketException or HttpRequestException or OperationCanceledException
                                       or ObjectDisposedException)
        {
            EndReason ??= ex switch
            {
                OperationCanceledException => "connect: timeout",
                SocketException socketError => $"connect: {socketError.SocketErrorCode}",
                _ when ex.InnerException is SocketException inner => $"connect: {inner.SocketErrorCode}",
                _ => "websocket: " + ex.Message,
            };
            return false;
        }
    }

    /// <summary>
    /// One <see cref="ClientWebSocket.ReceiveAsync(Memory{byte}, CancellationToken)"/> per message
    /// (that is all a WebSocket client can do), but the messages that are already there are
    /// counted together, once the next receive has to wait: like a TCP client's read of many
    /// lines, they get one timestamp, taken after they all arrived. Each receive gets no token:
    /// one registration for the whole loop aborts the socket instead of one per message.
    /// </summary>
    private async Task ReceiveWebSocketAsync(CancellationToken cancellationToken)
    {
        var web = _web!;
        var start = 0;
        var end = 0;
        var replies = new List<byte[]>();
        using var abort = cancellationToken.UnsafeRegister(static s => ((ClientWebSocket)s!).Abort(), web);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (_stopReading.Task.IsCompleted)
                {
                    start = ProcessLines(start, end, replies);
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                if (end > start && _buffer.Length - end < CoalesceReserveBytes)
                {
                    // Count before the buffer has to move or grow for more.
                    start = ProcessLines(start, end, replies);
                    await SendRepliesAsync(replies, cancellationToken);
                }
                if (start == end)
                {
                    start = end = 0;
                }
                if (end == _buffer.Length)
                {
                    (start, end) = MakeRoom(start, end);
                }
                var receiving = web.ReceiveAsync(_buffer.AsMemory(end), CancellationToken.None);
                if (!receiving.IsCompleted && end > start)
                {
                    // Nothing more has arrived: count what has, while the receive waits (it writes past end only).
                    start = ProcessLines(start, end, replies);
                    await SendRepliesAsync(replies, cancellationToken);
                }
                var result = await receiving;
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    EndReason ??= $"closed by server ({web.CloseStatus} {web.CloseStatusDescription})";
                    break;
                }
                end += result.Count;
                if (!result.EndOfMessage)
                {
                    continue; // the rest of a message longer than the buffer's free space
                }
                if (end == _buffer.Length)
                {
                    (start, end) = MakeRoom(start, end);
                }
                _buffer[end++] = (byte)'\n';
                Reads++;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            if (ex is WebSocketException && !cancellationToken.IsCancellationRequested)
            {
                EndReason ??= "websocket: " + ex.Message;
            }
        }
        // Whatever arrived before the end counts.
        ProcessLines(start, end, replies);
        if (!cancellationToken.IsCancellationRequested)
        {
            SetState(State == ClientState.Ready ? ClientState.Disconnected : ClientState.Failed);
        }
    }

    /// <summary>Room kept free at the buffer's end for the next messages; with less, what is there is counted first.</summary>
    private const int CoalesceReserveBytes = 4096;

    /// <summary>Sends the dialect's replies to the lines just counted (the server's pings get pongs).</summary>
    private async ValueTask SendRepliesAsync(List<byte[]> replies, CancellationToken cancellationToken)
    {
        foreach (var reply in replies)
        {
            await SendAsync(reply, cancellationToken);
        }
        replies.Clear();
    }

    /// <summary>Sends <paramref name="frame"/> as one text message (a trailing newline is left off); false when the connection is gone.</summary>
    private async ValueTask<bool> SendWebSocketAsync(ClientWebSocket web, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        if (!frame.IsEmpty && frame.Span[^1] == (byte)'\n')
        {
            frame = frame[..^1];
        }
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await web.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is WebSocketException or SocketException or ObjectDisposedException or OperationCanceledException
                                       or InvalidOperationException)
        {
            return false;
        }
        finally
        {
            _sendLock.Release();
        }
    }
}
