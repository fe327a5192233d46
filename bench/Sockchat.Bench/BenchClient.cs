using System.Net;
using System.Net.Sockets;

namespace Sockchat.Bench;

/// <summary>
/// One simulated chat user: an async socket (no thread of its own), its dialect session, and a
/// receive loop that splits lines, parses payloads and counts what arrived. Created and owned by
/// <see cref="LoadGenerator"/>, which starts its loop, sends through it and disposes it.
/// Counters are written only by the receive loop and read by the generator's monitor.
/// </summary>
public sealed partial class BenchClient : IDisposable
{
    private const int MaxLineBytes = 4 << 20;

    // Linux IP_BIND_ADDRESS_NO_PORT: bind picks the source address now and the port at connect
    // time, so every source address gets its own ephemeral port range.
    private const int IpProtocolIp = 0;
    private const int IpBindAddressNoPort = 24;

    private readonly ChatDialect _dialect;
    private readonly DialectSession _session;
    private readonly DeliveryTracker _tracker;
    private readonly LatencyRecorder _latency;
    private readonly int _payloadSize;
    private readonly Action<BenchClient, ClientState> _stateChanged;
    private readonly Action<string>? _corruptSample;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TaskCompletionSource _stopReading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Uri? _webUri;
    private Socket? _socket;
    private byte[] _buffer;
    private int _state;

    public BenchClient(int index, ChatDialect dialect, DialectSession session, DeliveryTracker tracker, LatencyRecorder latency,
        int payloadSize, int receiveBufferBytes, Action<BenchClient, ClientState> stateChanged, Action<string>? corruptSample = null,
        Uri? webUri = null)
    {
        if (dialect.IsWebSocket && webUri is null)
        {
            throw new ArgumentException("a WebSocket client needs the web port's URL", nameof(webUri));
        }
        _webUri = webUri;
        _corruptSample = corruptSample;
        Index = index;
        _dialect = dialect;
        _session = session;
        _tracker = tracker;
        _latency = latency;
        _payloadSize = payloadSize;
        _buffer = new byte[receiveBufferBytes];
        _stateChanged = stateChanged;
    }

    public int Index { get; }

    public ClientState State => (ClientState)Volatile.Read(ref _state);

    public DeliveryTracker Deliveries => _tracker;

    /// <summary>How this client speaks to the server (in a mixed run, web clients and TCP clients differ).</summary>
    public ChatDialect Dialect => _dialect;

    /// <summary>What goes before each payload this client sends (the dialect's prefix for its room).</summary>
    public byte[] MessagePrefix => _dialect.MessagePrefixFor(_session);

    /// <summary>Lines that should have been one payload and were not (spliced or damaged).</summary>
    public long Corrupt { get; private set; }

    public long ServerErrors { get; private set; }

    /// <summary>Receive calls that returned data: deliveries per read shows how well the server batches its writes.</summary>
    public long Reads { get; private set; }

    /// <summary>When the last new delivery arrived, in <see cref="LatencyRecorder"/> ticks.</summary>
    public long LastDeliveryTicks { get; private set; }

    public Task ReceiveLoop { get; private set; } = Task.CompletedTask;

    /// <summary>Why the client failed or was disconnected (the first reason seen), for the report.</summary>
    public string? EndReason { get; private set; }

    /// <summary>
    /// Connects (giving up after <paramref name="timeout"/> or when <paramref name="connectCancellation"/>
    /// fires), sends the dialect's handshake and starts the receive loop, which runs until
    /// <paramref name="cancellationToken"/>. <paramref name="kernelReceiveBuffer"/> shrinks the socket's
    /// receive buffer (set before connecting, so the TCP window is small from the start).
    /// </summary>
    public async Task ConnectAsync(EndPoint server, IPAddress? source, TimeSpan timeout, CancellationToken connectCancellation,
        CancellationToken cancellationToken, int? kernelReceiveBuffer = null)
    {
        if (_dialect.IsWebSocket)
        {
            if (!await ConnectWebSocketAsync(source, timeout, connectCancellation, cancellationToken, kernelReceiveBuffer))
            {
                SetState(ClientState.Failed);
                return;
            }
            SetState(ClientState.Handshaking);
            ReceiveLoop = ReceiveWebSocketAsync(cancellationToken);
            await SendAsync(_dialect.Handshake(_session), cancellationToken);
            return;
        }
        try
        {
            var socket = NewSocket(source, kernelReceiveBuffer);
            _socket = socket;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(connectCancellation, cancellationToken);
            deadline.CancelAfter(timeout);
            await socket.ConnectAsync(server, deadline.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            EndReason ??= ex is SocketException socketError ? $"connect: {socketError.SocketErrorCode}" : "connect: timeout";
            SetState(ClientState.Failed);
            return;
        }
        SetState(ClientState.Handshaking);
        ReceiveLoop = ReceiveAsync(cancellationToken);
        var handshake = _dialect.Handshake(_session);
        if (handshake.Length > 0)
        {
            await SendAsync(handshake, cancellationToken);
        }
    }

    /// <summary>Gives up on a client that was never connected (the run ran out of time, or the server is gone).</summary>
    public void MarkNotConnected(string reason)
    {
        if (State == ClientState.Connecting)
        {
            EndReason ??= reason;
            SetState(ClientState.Failed);
        }
    }

    /// <summary>Marks the client ready without a handshake answer (the relay probe's own sender).</summary>
    public void MarkReady()
    {
        if (State == ClientState.Handshaking)
        {
            SetState(ClientState.Ready);
        }
    }

    /// <summary>From now on the client reads nothing more: the slow-consumer scenario.</summary>
    public void StopReading() => _stopReading.TrySetResult();

    /// <summary>Sends all of <paramref name="data"/>; false when the connection is gone.</summary>
    public async ValueTask<bool> SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_web is { } web)
        {
            return await SendWebSocketAsync(web, data, cancellationToken);
        }
        var socket = _socket;
        if (socket is null)
        {
            return false;
        }
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            while (!data.IsEmpty)
            {
                var sent = await socket.SendAsync(data, SocketFlags.None, cancellationToken);
                data = data[sent..];
            }
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// For a client that stopped reading: reads what the server sends, waiting up to
    /// <paramref name="deadline"/> in all, and tells whether the server closed the connection
    /// (EOF or reset) within it. The read blocks: a server that drains its queue to a slow client a
    /// slice at a time before closing leaves the kernel buffer empty between slices, which a
    /// non-blocking read would take for "still open". False when the deadline or
    /// <paramref name="maxBytes"/> is reached with the connection still open.
    /// </summary>
    public bool DrainAndCheckClosed(int maxBytes, TimeSpan deadline)
    {
        var socket = _socket;
        if (socket is null)
        {
            return true;
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            socket.Blocking = true;
            var drained = 0;
            while (drained < maxBytes)
            {
                var remaining = deadline - clock.Elapsed;
                if (remaining <= TimeSpan.Zero)
                {
                    return false;
                }
                socket.ReceiveTimeout = Math.Max(1, (int)Math.Ceiling(remaining.TotalMilliseconds));
                var read = socket.Receive(_buffer, SocketFlags.None, out var error);
                if (error is SocketError.WouldBlock or SocketError.TimedOut)
                {
                    continue; // nothing within the timeout: the loop's deadline check decides
                }
                if (error != SocketError.Success || read == 0)
                {
                    return true;
                }
                drained += read;
            }
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    public void Dispose()
    {
        _stopReading.TrySetResult();
        _web?.Abort();
        _web?.Dispose();
        _socket?.Dispose();
    }

    /// <summary>A TCP socket with the generator's options: TCP_NODELAY, optionally a source address and a small receive buffer.</summary>
    private static Socket NewSocket(IPAddress? source, int? kernelReceiveBuffer)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (kernelReceiveBuffer is { } bytes)
            {
                socket.ReceiveBufferSize = bytes;
            }
            if (source is not null)
            {
                socket.SetRawSocketOption(IpProtocolIp, IpBindAddressNoPort, BitConverter.GetBytes(1));
                socket.Bind(new IPEndPoint(source, 0));
            }
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void SetState(ClientState state)
    {
        var previous = (ClientState)Interlocked.Exchange(ref _state, (int)state);
        if (previous != state)
        {
            _stateChanged(this, state);
        }
    }
}
