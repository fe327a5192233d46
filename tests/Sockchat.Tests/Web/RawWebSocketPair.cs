using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Sockchat.Server.Transports;

namespace Sockchat.Tests.Web;

/// <summary>
/// A server <see cref="WebSocketTransport"/> over a <see cref="FrameBatchStream"/> on one end of a
/// loopback TCP connection, and on the other end a bare socket that reads the server's frames byte
/// by byte (so a frame cut or spliced by a batch shows) and can send a ping of its own, as a
/// browser's keep-alive does. The server's read loop runs in the background, as a session's does:
/// the WebSocket answers pings only while it is receiving. Every wait is bounded.
/// </summary>
internal sealed class RawWebSocketPair : IAsyncDisposable
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    private readonly Socket _client;
    private readonly NetworkStream _clientStream;
    private readonly BufferedStream _clientReader;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serverReading;

    private RawWebSocketPair(Socket client, CountingStream connection, WebSocket server, FrameBatchStream batch)
    {
        _client = client;
        _clientStream = new NetworkStream(client, ownsSocket: false);
        _clientReader = new BufferedStream(_clientStream, 16 * 1024);
        Connection = connection;
        Server = server;
        Transport = new WebSocketTransport(server, null, batch);
        _serverReading = ReadServerSideAsync();
    }

    /// <summary>The server's side of the connection under the batching stream: counts its writes, and can hold them back.</summary>
    public CountingStream Connection { get; }

    public WebSocket Server { get; }

    public WebSocketTransport Transport { get; }

    public static async Task<RawWebSocketPair> StartAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var timeout = new CancellationTokenSource(DefaultWait);
        // Small kernel buffers: what the server wrote before a pong is never more than a few batches.
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 8192 };
        var accepting = listener.AcceptSocketAsync(timeout.Token);
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint, timeout.Token);
        var accepted = await accepting;
        accepted.NoDelay = true;
        accepted.SendBufferSize = 8192;
        var connection = new CountingStream(new NetworkStream(accepted, ownsSocket: true));
        var batch = new FrameBatchStream(connection);
        var server = WebSocket.CreateFromStream(batch, new WebSocketCreationOptions
        {
            IsServer = true,
            SubProtocol = "sockchat.v1",
            KeepAliveInterval = TimeSpan.Zero,
        });
        return new RawWebSocketPair(client, connection, server, batch);
    }

    /// <summary>Sends a ping (masked, as a client must) with <paramref name="payload"/>.</summary>
    public async Task PingAsync(string payload)
    {
        var data = Encoding.ASCII.GetBytes(payload);
        byte[] mask = [0x12, 0x34, 0x56, 0x78];
        var frame = new byte[2 + 4 + data.Length];
        frame[0] = 0x89; // FIN, ping
        frame[1] = (byte)(0x80 | data.Length);
        mask.CopyTo(frame, 2);
        for (var i = 0; i < data.Length; i++)
        {
            frame[6 + i] = (byte)(data[i] ^ mask[i % 4]);
        }
        using var timeout = new CancellationTokenSource(DefaultWait);
        await _clientStream.WriteAsync(frame, timeout.Token);
    }

    /// <summary>Reads the server's next frame: it must be unmasked and final (the server never fragments a message).</summary>
    public async Task<(WebSocketFrameKind Kind, string Payload)> ReadFrameAsync(CancellationToken cancellationToken)
    {
        var header = new byte[2];
        await _clientReader.ReadExactlyAsync(header, cancellationToken);
        Assert.True((header[0] & 0x80) != 0, $"a frame without FIN: 0x{header[0]:X2}");
        Assert.Equal(0, header[0] & 0x70);
        Assert.True((header[1] & 0x80) == 0, "the server masked a frame");
        long length = header[1] & 0x7F;
        if (length >= 126)
        {
            var extended = new byte[length == 126 ? 2 : 8];
            await _clientReader.ReadExactlyAsync(extended, cancellationToken);
            length = 0;
            foreach (var b in extended)
            {
                length = (length << 8) | b;
            }
        }
        Assert.InRange(length, 0, 1024 * 1024);
        var payload = new byte[length];
        await _clientReader.ReadExactlyAsync(payload, cancellationToken);
        var kind = (header[0] & 0x0F) switch
        {
            0x1 => WebSocketFrameKind.Text,
            0x8 => WebSocketFrameKind.Close,
            0xA => WebSocketFrameKind.Pong,
            var other => throw new Xunit.Sdk.XunitException($"unexpected opcode 0x{other:X}"),
        };
        return (kind, Encoding.UTF8.GetString(payload));
    }

    private async Task ReadServerSideAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (await Transport.ReadAsync(buffer, _stop.Token) > 0)
            {
            }
        }
        catch (Exception ex) when (Transport.IsConnectionError(ex))
        {
            // The test ended the connection.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Server.Abort();
        _client.Dispose();
        await _serverReading;
        await Transport.DisposeAsync();
        _clientReader.Dispose();
        _clientStream.Dispose();
        _stop.Dispose();
    }
}

internal enum WebSocketFrameKind
{
    Text,
    Pong,
    Close,
}
