using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Sockchat.E2E.Infrastructure;

/// <summary>
/// A bare TCP connection to the server, as <c>nc</c>, <c>telnet</c> or a bot would open: lines
/// out, every received line collected in <see cref="Received"/> by a background reader. Speaks
/// whichever dialect the test writes; <see cref="WaitForFrameAsync"/> helps with JSON.
/// </summary>
public sealed class RawClient : IAsyncDisposable
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private readonly Sandbox _sandbox;
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly Task _pump;
    private int _disposed;

    private RawClient(Sandbox sandbox, TcpClient tcp, string label)
    {
        _sandbox = sandbox;
        _tcp = tcp;
        _stream = tcp.GetStream();
        Received = new LineLog($"raw client {label}");
        _pump = Received.PumpAsync(new StreamReader(_stream, Utf8));
    }

    /// <summary>Everything the server sent so far, line by line.</summary>
    public LineLog Received { get; }

    public static async Task<RawClient> ConnectAsync(Sandbox sandbox, int port, string label)
    {
        var tcp = new TcpClient { NoDelay = true };
        using var timeout = new CancellationTokenSource(Timeouts.Line);
        await tcp.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
        var client = new RawClient(sandbox, tcp, label);
        sandbox.Own(client);
        return client;
    }

    /// <summary>Sends one line (a <c>\n</c> is appended).</summary>
    public async Task SendLineAsync(string line)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Line);
        await _stream.WriteAsync(Utf8.GetBytes(line + "\n"), timeout.Token);
    }

    public Task<string> WaitForLineAsync(Regex pattern) => Received.WaitForAsync(pattern);

    /// <summary>Waits for a JSON frame of <paramref name="type"/> (that also satisfies <paramref name="where"/>) and returns it.</summary>
    public async Task<JsonElement> WaitForFrameAsync(string type, Func<JsonElement, bool>? where = null)
    {
        var line = await Received.WaitForAsync(
            text => TryParseObject(text) is { } frame
                && frame.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == type
                && (where is null || where(frame)),
            $"holding a \"{type}\" frame");
        return TryParseObject(line)!.Value;
    }

    /// <summary>Waits until the server has closed the connection.</summary>
    public Task WaitForCloseAsync() => Received.WaitForEndAsync();

    private static JsonElement? TryParseObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        _tcp.Dispose();
        try
        {
            await _pump.WaitAsync(Timeouts.Line);
        }
        catch (TimeoutException)
        {
        }
        _sandbox.WriteOutput(Received.Describe());
    }
}
