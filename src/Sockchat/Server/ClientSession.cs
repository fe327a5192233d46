using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Sockchat.Protocol;

namespace Sockchat.Server;

/// <summary>Which dialect a connection speaks, decided by its first line.</summary>
public enum Dialect
{
    Undecided,
    Json,
    Text,
}

/// <summary>
/// One connected client. Owns exactly three things: a read loop (lines in, dispatched to the
/// <see cref="ChatHub"/>), an <see cref="Outbox"/>, and a write loop (the outbox drained into
/// the socket in as few writes as possible). Created and awaited by <see cref="ChatServer"/>;
/// the fields the hub reads and writes (<see cref="Name"/>, <see cref="JoinedRooms"/>) are
/// guarded by the hub's lock. Split: this file (lifetime, delivery), ClientSession.Reading.cs.
/// </summary>
public sealed partial class ClientSession : IAsyncDisposable
{
    private const int MaxTextNameAttempts = 5;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    private readonly Socket _socket;
    private Stream _stream;
    private readonly ChatHub _hub;
    private readonly ServerOptions _options;
    private readonly ILogger _logger;
    private readonly AuthThrottle _auth;
    private readonly Outbox _outbox;
    private readonly CancellationTokenSource _abort;
    private readonly CancellationTokenSource _stopReading;
    private readonly TaskCompletionSource _shutdownFlushed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _closeReason;
    private int _textNameAttempts;
    private List<OutboundFrame>? _held;
    private long _heldBytes;
    /// <summary>Error frames delivered to this client: the read loop compares it around a dispatch to see a refusal.</summary>
    private int _errorsDelivered;
    private volatile string? _lastErrorCode;
    private readonly TimeProvider _time;
    private readonly WarningThrottle _warnings;

    public ClientSession(long id, Socket socket, ChatHub hub, ServerOptions options, AuthThrottle auth, ILogger logger, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _warnings = new WarningThrottle(_time);
        Id = id;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _hub = hub;
        _options = options;
        _logger = logger;
        _auth = auth;
        _outbox = new Outbox(options.OutboxMaxBytes, _time);
        RemoteEndPoint = socket.RemoteEndPoint as IPEndPoint;
        // Server shutdown does not cut the socket: it asks politely through CloseGracefully.
        _abort = new CancellationTokenSource();
        _stopReading = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
    }

    public long Id { get; }

    public IPEndPoint? RemoteEndPoint { get; }

    public Dialect Dialect { get; private set; }

    /// <summary>Set by the hub once registered.</summary>
    public string? Name { get; set; }

    /// <summary>False for posting-only connections (what <c>say</c> uses).</summary>
    public bool Presence { get; set; } = true;

    /// <summary>False when the client asked for no joined/left notices about others (<c>presenceNotices: false</c>, <c>/quiet</c>). Guarded by the hub's lock.</summary>
    public bool PresenceNotices { get; set; } = true;

    /// <summary>Rooms in the order joined; the last is the current room. Guarded by the hub's lock.</summary>
    public List<Room> JoinedRooms { get; } = [];

    public Room? CurrentRoom => JoinedRooms.Count > 0 ? JoinedRooms[^1] : null;

    public string? CloseReason => _closeReason;

    /// <summary>Queues a frame in this client's dialect. Never waits; a client too far behind is dropped as slow.</summary>
    public void Deliver(OutboundFrame frame) => Deliver(frame, DeliveryBatch.Current);

    /// <summary>As <see cref="Deliver(OutboundFrame)"/>, in the <see cref="DeliveryBatch"/> open on this thread (the caller looked it up once for many recipients).</summary>
    public void Deliver(OutboundFrame frame, DeliveryBatch? batch)
    {
        if (frame.Frame is ErrorFrame { Code: not ErrorCodes.ServerError } error)
        {
            // Errors go only to the client whose frame caused them (server_error is the server's fault, not its).
            _lastErrorCode = error.Code;
            Interlocked.Increment(ref _errorsDelivered);
        }
        if (_held is { } held)
        {
            held.Add(frame);
            // Held frames count against the same limit as queued ones: a replay is no way around it.
            _heldBytes += Dialect == Dialect.Json ? frame.Json.Length : frame.Text(withRoom: JoinedRooms.Count > 1).Length;
            if (_heldBytes + _outbox.QueuedBytes > _options.OutboxMaxBytes)
            {
                OnOutboxOverflow();
            }
            return;
        }
        Send(frame, batch);
    }

    private void Send(OutboundFrame frame) => Send(frame, DeliveryBatch.Current);

    private void Send(OutboundFrame frame, DeliveryBatch? batch)
    {
        var bytes = Dialect switch
        {
            Dialect.Json => frame.Json,
            Dialect.Text => frame.Text(withRoom: JoinedRooms.Count > 1),
            _ => [],
        };
        if (_outbox.TryEnqueue(bytes, wake: batch is null) == EnqueueResult.Full)
        {
            OnOutboxOverflow();
        }
        batch?.Touch(this);
    }

    /// <summary>Marks the <see cref="DeliveryBatch"/> this session was last touched by. Guarded by the hub's lock.</summary>
    internal long BatchStamp { get; set; }

    /// <summary>
    /// Sends what is queued now, from the calling thread, without waiting: one non-blocking
    /// write of everything queued. What the socket does not take at once (and everything, on a
    /// TLS connection) is left to the write loop. Called when a <see cref="DeliveryBatch"/> closes.
    /// </summary>
    public void FlushNow()
    {
        if (!_sendsInline)
        {
            _outbox.Wake();
            return;
        }
        var buffer = t_flushBuffer ??= new ArrayBufferWriter<byte>(16 * 1024);
        buffer.ResetWrittenCount();
        if (_outbox.TryTake(buffer, MaxWriteBatchBytes, out _) != TakeResult.Taken)
        {
            return;
        }
        var sent = TrySendNow(buffer.WrittenSpan);
        if (sent < buffer.WrittenCount)
        {
            // Its socket is full: from now on the write loop waits for it, and the clock for "not reading" runs.
            _outbox.WriteBlocked(progressed: sent > 0);
        }
        else
        {
            _outbox.WriteFinished();
        }
        _outbox.FinishWriting(sent, buffer.WrittenSpan[sent..]);
        if (buffer.Capacity > MaxWriteBatchBytes * 2)
        {
            t_flushBuffer = null;
        }
    }

    /// <summary>
    /// One non-blocking send on a plain socket: how many bytes it took. On WouldBlock (its buffer
    /// is full) or a failure, none: the write loop then waits for the socket, or meets the error
    /// and ends the session.
    /// </summary>
    private int TrySendNow(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var sent = _socket.Send(bytes, SocketFlags.None, out var error);
            return error == SocketError.Success ? sent : 0;
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
    }

    private const int MaxWriteBatchBytes = 256 * 1024;

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_flushBuffer;

    /// <summary>True on a plain TCP socket (set non-blocking), which a broadcaster may write to directly.</summary>
    private bool _sendsInline;

    /// <summary>
    /// Queues one page of a replay ahead of any held live frames: msg frames marked history (each a
    /// line of the text dialect's block, whose header and end the hub sends). Called under the hub's lock.
    /// </summary>
    public void DeliverReplayPage(IReadOnlyList<MsgFrame> messages, TextRenderer renderer)
    {
        foreach (var message in messages)
        {
            Send(new OutboundFrame(message, renderer));
        }
    }

    /// <summary>Queues a frame of a replay (its header, a gap, its end) ahead of any held live frames. Called under the hub's lock.</summary>
    public void DeliverReplayFrame(OutboundFrame frame) => Send(frame);

    /// <summary>Bytes queued for this client and not yet written.</summary>
    public long QueuedBytes => _outbox.QueuedBytes;

    /// <summary>Completes once this client's queue has drained to <paramref name="threshold"/> bytes: replays go at the pace the client reads.</summary>
    public Task WaitForQueueBelowAsync(long threshold, CancellationToken cancellationToken) =>
        _outbox.WaitUntilBelowAsync(threshold, cancellationToken);

    /// <summary>
    /// From now on, frames wait in the session instead of going out (while missed messages are
    /// read from disk, so that they still arrive first). Called under the hub's lock, from the
    /// session's own read loop, which does nothing else until <see cref="ReleaseDeliveries"/>.
    /// </summary>
    public void HoldDeliveries() => _held ??= [];

    /// <summary>Sends every held frame, in order, and stops holding. Called under the hub's lock.</summary>
    public void ReleaseDeliveries()
    {
        if (_held is not { } held)
        {
            return;
        }
        _held = null;
        _heldBytes = 0;
        foreach (var frame in held)
        {
            Send(frame);
        }
    }

    /// <summary>Server shutdown, step one: stop reading, so no new messages come in, but keep sending.</summary>
    public void BeginShutdown()
    {
        if (Interlocked.CompareExchange(ref _closeReason, LeaveReasons.Shutdown, null) is null)
        {
            TryCancel(_stopReading);
        }
    }

    /// <summary>Server shutdown, step two (after stored messages were acknowledged): send <c>shutdown</c> and close.</summary>
    public void FinishShutdown(ServerFrame finalFrame)
    {
        if (_closeReason == LeaveReasons.Shutdown && Dialect != Dialect.Undecided)
        {
            var frame = new OutboundFrame(finalFrame, new TextRenderer(_options.TimeZone));
            _outbox.TryEnqueue(Dialect == Dialect.Json ? frame.Json : frame.Text(false), ignoreLimit: true);
        }
        _outbox.Complete();
        _shutdownFlushed.TrySetResult();
    }

    /// <summary>Asks the session to end after sending <paramref name="finalFrame"/>: reading stops, the queue drains.</summary>
    public void CloseGracefully(string reason, ServerFrame? finalFrame)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null)
        {
            return;
        }
        if (finalFrame is not null && Dialect != Dialect.Undecided)
        {
            var frame = new OutboundFrame(finalFrame, new TextRenderer(_options.TimeZone));
            _outbox.TryEnqueue(Dialect == Dialect.Json ? frame.Json : frame.Text(false), ignoreLimit: true);
        }
        _outbox.Complete();
        TryCancel(_stopReading);
    }

    /// <summary>Drops the connection now, without draining (shutdown stragglers).</summary>
    public void Abort()
    {
        Interlocked.CompareExchange(ref _closeReason, LeaveReasons.Disconnected, null);
        _shutdownFlushed.TrySetResult();
        TryCancel(_abort);
    }

    /// <summary>Cancels unless the session already ended and disposed its sources (a race with shutdown or overflow that is harmless).</summary>
    private static void TryCancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void OnOutboxOverflow()
    {
        if (Interlocked.CompareExchange(ref _closeReason, LeaveReasons.Slow, null) is not null)
        {
            return;
        }
        Log.SlowConsumer(_logger, Id, Name ?? "-", _outbox.QueuedBytes);
        // Never cancel inline: Deliver runs under the hub's lock, and cancellation runs callbacks.
        ThreadPool.UnsafeQueueUserWorkItem(static s => TryCancel(s), _abort, preferLocal: false);
    }

    /// <summary>Runs the session until the client leaves, the connection fails, or the server stops.</summary>
    public async Task RunAsync()
    {
        if (_options.Certificate is not null && !await AuthenticateTlsAsync(_options.Certificate))
        {
            Log.Disconnected(_logger, Id, Name ?? "-", "tls handshake failed");
            return;
        }
        if (_options.Certificate is null)
        {
            // Only after the NetworkStream exists (it refuses a non-blocking socket); its async I/O is unaffected.
            _socket.Blocking = false;
            _sendsInline = true;
        }
        await using var watchdog = StartWatchdog();
        var writing = WriteLoopAsync(_abort.Token);
        try
        {
            await ReadLoopAsync(_stopReading.Token);
        }
        finally
        {
            _hub.Disconnect(this, _closeReason ?? LeaveReasons.Disconnected);
            if (_closeReason == LeaveReasons.Shutdown)
            {
                // The server completes the outbox once the last acks are queued; it also bounds the wait.
                await _shutdownFlushed.Task;
            }
            _outbox.Complete();
            try
            {
                await writing.WaitAsync(DrainTimeout);
            }
            catch (TimeoutException)
            {
                await _abort.CancelAsync();
            }
            await writing.ContinueWith(static _ => { }, TaskScheduler.Default);
            ReportSuppressedWarnings();
            Log.Disconnected(_logger, Id, Name ?? "-", _closeReason ?? LeaveReasons.Disconnected);
        }
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        await using var wake = cancellationToken.UnsafeRegister(static s => ((Outbox)s!).WakeForCancellation(), _outbox);
        PooledBufferWriter? buffer = null;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                buffer ??= new PooledBufferWriter();
                buffer.Clear();
                // Drain everything queued into one write: batching, not Nagle, keeps writes few.
                var take = _outbox.TryTake(buffer, MaxWriteBatchBytes, out var taken, isWriteLoop: true);
                if (take == TakeResult.Finished)
                {
                    break;
                }
                if (take != TakeResult.Taken)
                {
                    // Idle (or a broadcaster is writing): hold no buffer while waiting.
                    buffer.Dispose();
                    buffer = null;
                    await _outbox.WaitAsync();
                    continue;
                }
                // Most writes fit the socket's buffer at once: a non-blocking send needs no async machinery.
                var sent = _sendsInline ? TrySendNow(buffer.WrittenMemory.Span) : 0;
                try
                {
                    if (sent < taken)
                    {
                        _outbox.WriteBlocked(progressed: sent > 0);
                        await WriteWithProgressAsync(buffer.WrittenMemory[sent..], cancellationToken);
                    }
                }
                finally
                {
                    _outbox.WriteFinished();
                    _outbox.FinishWriting(taken, []);
                }
            }
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (IsConnectionError(ex))
        {
            Log.ConnectionReset(_logger, Id, ex.Message);
        }
        finally
        {
            buffer?.Dispose();
            // A dead writer means a dead connection: stop reading too.
            await _abort.CancelAsync();
        }
    }

    /// <summary>
    /// Waits for the socket to take <paramref name="bytes"/>, a slice at a time, telling the outbox
    /// after each that the client made progress: <c>slow</c> means no bytes taken for a while,
    /// never one big write that a client reading at its own pace needs long for (issue 9).
    /// </summary>
    private async Task WriteWithProgressAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            var slice = bytes[..Math.Min(bytes.Length, ProgressSliceBytes)];
            await _stream.WriteAsync(slice, cancellationToken);
            _outbox.WriteProgressed();
            bytes = bytes[slice.Length..];
        }
    }

    /// <summary>The grain of progress: a client that reads less than this in <see cref="Outbox.StallGrace"/> while its queue is past the limit counts as not reading.</summary>
    internal const int ProgressSliceBytes = 16 * 1024;

    private static bool IsConnectionError(Exception ex) =>
        ex is IOException or SocketException or ObjectDisposedException;

    public async ValueTask DisposeAsync()
    {
        _limiter?.Dispose();
        await _stream.DisposeAsync();
        _socket.Dispose();
        _abort.Dispose();
        _stopReading.Dispose();
    }

    private void SendNotice(string text) => Deliver(new OutboundFrame(new NoticeFrame(text), new TextRenderer(_options.TimeZone)));

    private static readonly Encoding Utf8 = new UTF8Encoding(false);

    private void SendRawText(string line) => _outbox.TryEnqueue(Utf8.GetBytes(line + "\n"));
}
