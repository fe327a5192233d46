using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sockchat.Protocol;
using Xunit.Sdk;

namespace Sockchat.Tests.Infrastructure;

/// <summary>
/// A JSON-dialect client for volume tests. Unlike <see cref="JsonTestClient"/> it reads on its own
/// task from the moment it connects (so it never falls behind while the test sends) and keeps a
/// compact record instead of every line: each <see cref="MsgFrame"/> with its text cut to
/// <see cref="KeptTextLength"/> characters, and every other frame whole. Waits are bounded and
/// driven by frames arriving, never by time passing.
/// </summary>
internal sealed class TallyingJsonClient : IAsyncDisposable
{
    public const int KeptTextLength = 32;

    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(20);

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<MsgFrame> _messages = [];
    private readonly List<ServerFrame> _others = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _reading = Task.CompletedTask;
    private string? _endedBy;

    private TallyingJsonClient(TcpClient tcp, string name)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        Name = name;
    }

    public string Name { get; }

    /// <summary>Connects, starts reading, says hello and waits for the welcome.</summary>
    /// <param name="receiveBufferSize">The socket's receive buffer, set before connecting (the kernel may double or cap it); the system's default when null.</param>
    public static async Task<TallyingJsonClient> JoinAsync(int port, string name, int? receiveBufferSize = null)
    {
        var tcp = new TcpClient(AddressFamily.InterNetwork) { NoDelay = true };
        if (receiveBufferSize is { } size)
        {
            tcp.ReceiveBufferSize = size;
        }
        using (var timeout = new CancellationTokenSource(LineConnection.DefaultWait))
        {
            await tcp.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
        }
        var client = new TallyingJsonClient(tcp, name);
        // On the thread pool, not the test's synchronization context: it keeps up with the server.
        client._reading = Task.Run(client.ReadLoopAsync);
        try
        {
            await client.SendAsync(new HelloFrame(name, null, null, true, null));
            await client.WaitUntilAsync(c => c.Others.OfType<WelcomeFrame>().Any(), "its welcome");
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Messages received so far, in order (texts cut short).</summary>
    public IReadOnlyList<MsgFrame> Messages
    {
        get { lock (_gate) return _messages.ToList(); }
    }

    public int MessageCount
    {
        get { lock (_gate) return _messages.Count; }
    }

    /// <summary>Every frame that is not a <see cref="MsgFrame"/>, in order.</summary>
    public IReadOnlyList<ServerFrame> Others
    {
        get { lock (_gate) return _others.ToList(); }
    }

    /// <summary>How many frames of type <typeparamref name="T"/> (other than messages) arrived so far.</summary>
    public int Count<T>() where T : ServerFrame
    {
        lock (_gate)
        {
            var count = 0;
            foreach (var frame in _others)
            {
                count += frame is T ? 1 : 0;
            }
            return count;
        }
    }

    /// <summary>Null while the connection is open; otherwise how it ended.</summary>
    public string? EndedBy
    {
        get { lock (_gate) return _endedBy; }
    }

    public Task SendAsync(ClientFrame frame) => SendBytesAsync(JsonCodec.Encode(frame));

    public async Task SendBytesAsync(ReadOnlyMemory<byte> bytes)
    {
        using var timeout = new CancellationTokenSource(SendTimeout);
        await _stream.WriteAsync(bytes, timeout.Token);
    }

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking after each frame; fails after <paramref name="within"/> or if the connection ends first.</summary>
    public async Task WaitUntilAsync(Func<TallyingJsonClient, bool> condition, string what, TimeSpan? within = null)
    {
        var limit = within ?? LineConnection.DefaultWait;
        using var timeout = new CancellationTokenSource(limit);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }
            if (condition(this))
            {
                return;
            }
            if (EndedBy is { } ended)
            {
                throw new XunitException($"{Name}: the connection ended ({ended}) while waiting for {what}; {Summary()}");
            }
            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new XunitException($"{Name}: no {what} within {limit.TotalSeconds} s; {Summary()}");
            }
        }
    }

    private string Summary()
    {
        lock (_gate)
        {
            return $"{_messages.Count} messages received; other frames: {string.Join(", ", _others.TakeLast(10))}";
        }
    }

    private async Task ReadLoopAsync()
    {
        using var reader = new StreamReader(_stream, new UTF8Encoding(false, throwOnInvalidBytes: false), false, 64 * 1024, leaveOpen: true);
        string ended;
        try
        {
            while (true)
            {
                var line = await reader.ReadLineAsync(_stop.Token);
                if (line is null)
                {
                    ended = "closed by the server";
                    break;
                }
                if (JsonCodec.ParseServerFrame(line) is { } frame)
                {
                    Record(frame);
                }
            }
        }
        catch (OperationCanceledException)
        {
            ended = "disposed";
        }
        catch (IOException ex)
        {
            ended = "reset: " + ex.Message;
        }
        catch (ObjectDisposedException)
        {
            ended = "disposed";
        }
        TaskCompletionSource changed;
        lock (_gate)
        {
            _endedBy = ended;
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    private void Record(ServerFrame frame)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (frame is MsgFrame msg)
            {
                _messages.Add(msg.Text.Length > KeptTextLength ? msg with { Text = msg.Text[..KeptTextLength] } : msg);
            }
            else
            {
                _others.Add(frame);
            }
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _tcp.Dispose();
        try
        {
            await _reading.WaitAsync(LineConnection.DefaultWait);
        }
        catch (TimeoutException)
        {
            // The read loop is stuck in the socket; the socket is gone, so it ends by itself.
        }
        _stop.Dispose();
    }
}
