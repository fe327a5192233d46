using System.Net;
using System.Net.Sockets;
using System.Text;
using Sockchat.Protocol;

namespace Sockchat.Tests.Infrastructure;

/// <summary>
/// The server's side of one connection played by hand, on 127.0.0.1 and a free port: for client
/// tests of what a real server never does (accept and then say nothing, never acknowledge).
/// </summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private Socket? _peer;
    private NetworkStream? _stream;
    private StreamReader? _reader;

    private ScriptedServer(TcpListener listener) => _listener = listener;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Listening; the backlog completes a client's connect before anything is accepted.</summary>
    public static ScriptedServer Start()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new ScriptedServer(listener);
    }

    /// <summary>Accepts the one client and returns its first line (its hello).</summary>
    public async Task<string> AcceptAsync(CancellationToken cancellationToken)
    {
        _peer = await _listener.AcceptSocketAsync(cancellationToken);
        _stream = new NetworkStream(_peer, ownsSocket: true);
        _reader = new StreamReader(_stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);
        return await ReadLineAsync(cancellationToken);
    }

    public async Task<string> ReadLineAsync(CancellationToken cancellationToken) =>
        await _reader!.ReadLineAsync(cancellationToken) ?? throw new InvalidOperationException("the client closed the connection");

    public async Task SendAsync(ServerFrame frame, CancellationToken cancellationToken) =>
        await _stream!.WriteAsync(JsonCodec.Encode(frame), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _reader?.Dispose();
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }
        _listener.Stop();
        _listener.Dispose();
    }
}
