// TEMPORARY bridge until the WebSocket transport lands.
// It lets the page be tried against a running `serve` before the hub can take a WebSocket session:
// each browser gets its own TCP (or TLS) connection to the chat port on loopback, and this copies
// frames across, one WebSocket text message to one line and back. The real transport replaces the
// whole file (and its one use in ServeCommand); nothing else depends on it.
using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;

namespace Sockchat.Web;

/// <summary>TEMPORARY bridge until the WebSocket transport lands: WebSocket messages ⇄ lines on a loopback chat connection.</summary>
internal sealed class TemporaryTcpBridge(IPEndPoint chatEndPoint, X509Certificate2? certificate)
{
    /// <summary>A browser message longer than this closes the socket (the real transport answers too_long instead).</summary>
    private const int MaxMessageBytes = 1 << 20;

    public async Task RunAsync(WebSocket socket, IPEndPoint? remote, CancellationToken cancellationToken)
    {
        var loopback = new IPEndPoint(IPAddress.IsLoopback(chatEndPoint.Address) || chatEndPoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : chatEndPoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : chatEndPoint.Address, chatEndPoint.Port);
        using var tcp = new Socket(loopback.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await tcp.ConnectAsync(loopback, cancellationToken);
        await using Stream stream = await OpenAsync(new NetworkStream(tcp, ownsSocket: false), cancellationToken);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var up = BrowserToChatAsync(socket, stream, both.Token);
        var down = ChatToBrowserAsync(stream, socket, both.Token);
        if (await Task.WhenAny(up, down) == down)
        {
            // The chat side ended (quit, shutdown, refused hello): close the WebSocket properly and
            // let the browser answer, so the last frames (a `shutdown`, an `error`) are not lost.
            // Cancelling the pending receive instead would abort the socket.
            await CloseAsync(socket);
            await Task.WhenAny(up, Task.Delay(TimeSpan.FromSeconds(2), cancellationToken));
        }
        await both.CancelAsync();
        try
        {
            await Task.WhenAll(up, down);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or WebSocketException or SocketException)
        {
            // One side ended; the other was cut short. Both are normal ends of a bridged session.
        }
        await CloseAsync(socket);
    }

    private static async Task CloseAsync(WebSocket socket)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }
        using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "chat connection closed", closing.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The browser is gone already.
        }
    }

    private async Task<Stream> OpenAsync(NetworkStream network, CancellationToken cancellationToken)
    {
        if (certificate is null)
        {
            return network;
        }
        // The chat port is our own server on loopback: trust exactly its certificate.
        var tls = new SslStream(network, leaveInnerStreamOpen: false,
            (_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cancellationToken);
        return tls;
    }

    private static async Task BrowserToChatAsync(WebSocket socket, Stream chat, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var message = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
            message.Write(buffer.AsSpan(0, result.Count));
            if (message.WrittenCount > MaxMessageBytes)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too long", cancellationToken);
                return;
            }
            if (!result.EndOfMessage)
            {
                continue;
            }
            if (result.MessageType == WebSocketMessageType.Text)
            {
                message.Write("\n"u8);
                await chat.WriteAsync(message.WrittenMemory, cancellationToken);
                await chat.FlushAsync(cancellationToken);
            }
            message.Clear();
        }
    }

    private static async Task ChatToBrowserAsync(Stream chat, WebSocket socket, CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(chat);
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            while (buffer.PositionOf((byte)'\n') is { } end)
            {
                var line = buffer.Slice(0, end).ToArray().AsMemory();
                if (line.Length > 0 && line.Span[^1] == '\r')
                {
                    line = line[..^1];
                }
                if (line.Length > 0)
                {
                    await socket.SendAsync(line, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
                }
                buffer = buffer.Slice(buffer.GetPosition(1, end));
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (read.IsCompleted)
            {
                return;
            }
        }
    }
}
