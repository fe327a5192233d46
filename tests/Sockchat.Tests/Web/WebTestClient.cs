using System.Net.WebSockets;
using System.Text;
using Sockchat.Protocol;

namespace Sockchat.Tests.Web;

/// <summary>A browser-less web user: a <see cref="ClientWebSocket"/> on <c>/ws</c> speaking the JSON dialect, one frame per message.</summary>
internal sealed class WebTestClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    private readonly List<ServerFrame> _frames = [];

    private WebTestClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    public IReadOnlyList<ServerFrame> Frames => _frames;

    /// <summary>Opens <c>/ws</c> of <paramref name="web"/> (an http:// base) with the sockchat.v1 subprotocol and the page's own Origin unless told otherwise.</summary>
    public static async Task<WebTestClient> ConnectAsync(Uri web, string? origin = "", int? receiveBuffer = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("sockchat.v1");
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        if (receiveBuffer is { } size)
        {
            socket.Options.SetBuffer(size, 256);
        }
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin.Length == 0 ? web.GetLeftPart(UriPartial.Authority) : origin);
        }
        using var timeout = new CancellationTokenSource(DefaultWait);
        try
        {
            var endpoint = new UriBuilder(web) { Scheme = web.Scheme == "https" ? "wss" : "ws", Path = "/ws" }.Uri;
            await socket.ConnectAsync(endpoint, timeout.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new WebTestClient(socket);
    }

    public Task SendAsync(ClientFrame frame) => SendTextAsync(Encoding.UTF8.GetString(JsonCodec.Encode(frame)).TrimEnd('\n'));

    public async Task SendTextAsync(string text)
    {
        using var timeout = new CancellationTokenSource(DefaultWait);
        await Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
    }

    public async Task SendRawAsync(byte[] bytes, WebSocketMessageType type)
    {
        using var timeout = new CancellationTokenSource(DefaultWait);
        await Socket.SendAsync(bytes, type, true, timeout.Token);
    }

    public async Task<WelcomeFrame> HelloAsync(string name, string? room = null)
    {
        await SendAsync(new HelloFrame(name, room, null, true, null));
        return await ExpectAsync<WelcomeFrame>();
    }

    /// <summary>Reads messages until one parses as a <typeparamref name="T"/> that matches; every message must be exactly one frame.</summary>
    public async Task<T> ExpectAsync<T>(Func<T, bool>? match = null, TimeSpan? within = null) where T : ServerFrame
    {
        using var timeout = new CancellationTokenSource(within ?? DefaultWait);
        while (true)
        {
            var text = await ReceiveTextAsync(timeout.Token)
                ?? throw new Xunit.Sdk.XunitException($"the socket closed ({Socket.CloseStatus} {Socket.CloseStatusDescription}) before a {typeof(T).Name}");
            Assert.DoesNotContain('\n', text);
            var frame = JsonCodec.ParseServerFrame(text) ?? throw new Xunit.Sdk.XunitException($"not a server frame: {text}");
            _frames.Add(frame);
            if (frame is T wanted && (match is null || match(wanted)))
            {
                return wanted;
            }
        }
    }

    /// <summary>Reads until the server closes the socket; returns its close status.</summary>
    public async Task<WebSocketCloseStatus?> ExpectCloseAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? DefaultWait);
        try
        {
            while (await ReceiveTextAsync(timeout.Token) is { } text)
            {
                if (JsonCodec.ParseServerFrame(text) is { } frame)
                {
                    _frames.Add(frame);
                }
            }
        }
        catch (WebSocketException)
        {
            // Aborted rather than closed: no status.
        }
        return Socket.CloseStatus;
    }

    private async Task<string?> ReceiveTextAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(message.ToArray());
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Socket.Abort();
        Socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
