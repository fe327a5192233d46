using System.Globalization;
using Sockchat.Protocol;

namespace Sockchat.Tests.Infrastructure;

/// <summary>
/// A minimal JSON-dialect client for server tests: sends <see cref="ClientFrame"/>s through
/// <see cref="JsonCodec.Encode(ClientFrame)"/> and waits, bounded, for the <see cref="ServerFrame"/>
/// it expects, skipping (but recording) others. Deliberately independent of <c>ChatClient</c>.
/// </summary>
internal sealed class JsonTestClient : LineConnection
{
    private readonly List<ServerFrame> _frames = [];
    private int _nextSync;

    private JsonTestClient(System.Net.Sockets.TcpClient tcp) : base(tcp)
    {
    }

    /// <summary>Every frame received so far (lines that are not frames are left out), in order.</summary>
    public IReadOnlyList<ServerFrame> Frames => _frames;

    public WelcomeFrame? Welcome { get; private set; }

    public static async Task<JsonTestClient> ConnectAsync(int port, int? receiveBufferSize = null) =>
        new(await OpenAsync(port, receiveBufferSize));

    /// <summary>Connects, says hello and waits for the welcome.</summary>
    public static async Task<JsonTestClient> JoinAsync(TestServer server, string name, string? room = null, bool presence = true)
    {
        var client = await ConnectAsync(server.Port);
        try
        {
            await client.HelloAsync(name, room, presence);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public async Task<WelcomeFrame> HelloAsync(string name, string? room = null, bool presence = true)
    {
        await SendAsync(new HelloFrame(name, room, null, presence, null));
        Welcome = await ExpectAsync<WelcomeFrame>();
        return Welcome;
    }

    public Task SendAsync(ClientFrame frame) => SendBytesAsync(JsonCodec.Encode(frame));

    public Task SayAsync(string text, string? id = null, string? room = null) =>
        SendAsync(new SayFrame(room, text, id is null ? null : FrameId.FromString(id)));

    /// <summary>Says something with an id and waits for its ack; returns the message's seq.</summary>
    public async Task<long> SayAndWaitAsync(string text, string? room = null)
    {
        var id = "say-" + Interlocked.Increment(ref _nextSync).ToString(CultureInfo.InvariantCulture);
        await SayAsync(text, id, room);
        var ack = await ExpectAsync<AckFrame>(a => a.Id.Text == id);
        return ack.Seq ?? throw new Xunit.Sdk.XunitException($"the ack of a say carried no seq: {ack}");
    }

    /// <summary>Waits for the next frame of type <typeparamref name="T"/> that matches, skipping (and recording) others.</summary>
    public async Task<T> ExpectAsync<T>(Func<T, bool>? match = null, TimeSpan? within = null) where T : ServerFrame
    {
        T? found = null;
        await ReadLineUntilAsync(line =>
        {
            if (JsonCodec.ParseServerFrame(line) is T frame && (match is null || match(frame)))
            {
                found = frame;
                return true;
            }
            return false;
        }, typeof(T).Name, within);
        return found!;
    }

    /// <summary>The first matching frame already received (perhaps skipped by an earlier wait), else the next one to arrive.</summary>
    public async Task<T> ReceivedOrExpectAsync<T>(Func<T, bool> match, TimeSpan? within = null) where T : ServerFrame =>
        Received<T>().FirstOrDefault(match) ?? await ExpectAsync(match, within);

    /// <summary>
    /// A round trip (ping/pong): once it returns, every frame the server queued for this client
    /// before it handled the ping has been received, so negative assertions on <see cref="Frames"/> are safe.
    /// </summary>
    public async Task SyncAsync()
    {
        var id = "sync-" + Interlocked.Increment(ref _nextSync).ToString(CultureInfo.InvariantCulture);
        await SendAsync(new PingFrame(FrameId.FromString(id)));
        await ExpectAsync<PongFrame>(p => p.Id?.Text == id);
    }

    public IEnumerable<T> Received<T>() where T : ServerFrame => _frames.OfType<T>();

    protected override void OnLine(string line)
    {
        if (JsonCodec.ParseServerFrame(line) is { } frame)
        {
            _frames.Add(frame);
        }
    }
}
