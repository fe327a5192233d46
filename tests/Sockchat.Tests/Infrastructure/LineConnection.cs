using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit.Sdk;

namespace Sockchat.Tests.Infrastructure;

/// <summary>
/// A raw TCP connection to a test server that reads whole lines, each wait bounded. The base of
/// <see cref="JsonTestClient"/> and <see cref="TextTestClient"/>. Every line read is recorded,
/// so a test can also assert what did not arrive.
/// </summary>
internal abstract class LineConnection : IAsyncDisposable
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(5);

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;
    private readonly List<string> _lines = [];

    protected LineConnection(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = new StreamReader(_stream, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: false);
    }

    /// <summary>Every line received so far, in order.</summary>
    public IReadOnlyList<string> Lines => _lines;

    protected static async Task<TcpClient> OpenAsync(int port, int? receiveBufferSize)
    {
        var tcp = new TcpClient(AddressFamily.InterNetwork) { NoDelay = true };
        if (receiveBufferSize is { } size)
        {
            // Set before connecting, so the advertised window stays small.
            tcp.ReceiveBufferSize = size;
        }
        using var timeout = new CancellationTokenSource(DefaultWait);
        await tcp.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
        return tcp;
    }

    /// <summary>Sends bytes as they are (no newline added).</summary>
    public async Task SendBytesAsync(ReadOnlyMemory<byte> bytes)
    {
        using var timeout = new CancellationTokenSource(DefaultWait);
        await _stream.WriteAsync(bytes, timeout.Token);
    }

    /// <summary>Reads lines until one matches; fails the test if the connection closes or time runs out first.</summary>
    protected async Task<string> ReadLineUntilAsync(Func<string, bool> match, string what, TimeSpan? within)
    {
        using var timeout = new CancellationTokenSource(within ?? DefaultWait);
        try
        {
            while (true)
            {
                var line = await _reader.ReadLineAsync(timeout.Token)
                    ?? throw new XunitException($"the connection closed while waiting for {what}; received:{Environment.NewLine}{Transcript()}");
                _lines.Add(line);
                OnLine(line);
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new XunitException($"no {what} within {(within ?? DefaultWait).TotalSeconds} s; received:{Environment.NewLine}{Transcript()}");
        }
    }

    /// <summary>Reads (and records) everything up to the server closing the connection.</summary>
    public async Task ExpectClosedAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? DefaultWait);
        try
        {
            while (await _reader.ReadLineAsync(timeout.Token) is { } line)
            {
                _lines.Add(line);
                OnLine(line);
            }
        }
        catch (IOException)
        {
            // Reset by the server: closed all the same.
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new XunitException($"the server did not close the connection within {(within ?? DefaultWait).TotalSeconds} s; received:{Environment.NewLine}{Transcript()}");
        }
    }

    protected virtual void OnLine(string line)
    {
    }

    /// <summary>Closes the socket at once with a reset (linger 0), as a crashed client or a pulled cable would.</summary>
    public void Reset()
    {
        _tcp.Client.LingerState = new LingerOption(true, 0);
        _tcp.Client.Close();
    }

    /// <summary>Closes the socket normally (FIN), without saying goodbye.</summary>
    public void Close() => _tcp.Client.Close();

    private string Transcript() => _lines.Count == 0 ? "  (nothing)" : string.Join(Environment.NewLine, _lines.TakeLast(20).Select(l => "  " + (l.Length > 300 ? l[..300] + "…" : l)));

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
