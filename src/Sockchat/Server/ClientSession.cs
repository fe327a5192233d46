using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Sockchat.Protocol;
using Sockchat.Server.Transports;

namespace Sockchat.Server;

/// <summary>Which dialect a connection speaks, decided by its first line.</summary>
public enum Dialect
{
    Undecided,
    Json,
    Text,
}

/// <summary>
/// One connected client, whatever carries it: its protocol state (dialect, name, rooms, rate,
/// refusals) and its outbound queue. The bytes move through a <see cref="ClientTransport"/>
/// (TCP, TLS, a WebSocket), which knows nothing else. A session runs two loops: the read loop
/// (lines in, parsed, handed to the <see cref="ChatHub"/>) and the write loop (the
/// <see cref="Outbox"/> drained into the transport in as few writes as possible).
/// <para>
/// <b>One writer:</b> only the write loop ever writes to the transport; everyone else only
/// enqueues on the outbox, which wakes the loop. See docs/architecture.md for the life of a
/// message and which thread touches which field; in short: <see cref="Name"/>,
/// <see cref="Presence"/>, <see cref="PresenceNotices"/>, <see cref="JoinedRooms"/> and the held
/// frames are guarded by the hub's lock, and <see cref="Deliver"/> is called only with it held;
/// the read loop alone owns the framer, the rate limiter and the refusal count; the watchdog
/// touches only the interlocked/volatile timestamps, <c>_closeReason</c> and the outbox.
/// </para>
/// Split: this file (lifetime, delivery, the write loop), ClientSession.Reading.cs (the read loop
/// and dispatch), ClientSession.Guards.cs (deadlines, pings, rate, cross-protocol checks).
/// </summary>
public sealed partial class ClientSession : IAsyncDisposable
{
    private const int MaxTextNameAttempts = 5;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    private readonly ClientTransport _transport;
    private readonly ChatHub _hub;
    private readonly ServerOptions _options;
    private readonly ILogger _logger;
    private readonly AuthThrottle _auth;
    private readonly Outbox _outbox;
    /// <summary>Cancels the write loop's waits; <see cref="StopNow"/> cancels it together with <see cref="_stopReading"/> (two plain sources: a linked one costs a registration per session).</summary>
    private readonly CancellationTokenSource _abort = new();
    private readonly CancellationTokenSource _stopReading = new();
    /// <summary>Created by <see cref="BeginShutdown"/>: completed once the server queued the last acks (most sessions never need one).</summary>
    private TaskCompletionSource? _shutdownFlushed;
    /// <summary>The session's whole run (<see cref="RunAsync"/>): what <see cref="Finished"/> is.</summary>
    private Task? _run;
    private readonly Action<ClientSession>? _released;
    private string? _closeReason;
    private int _textNameAttempts;
    private List<OutboundFrame>? _held;
    private long _heldBytes;
    /// <summary>Error frames delivered to this client: the read loop compares it around a dispatch to see a refusal.</summary>
    private int _errorsDelivered;
    private volatile string? _lastErrorCode;
    private readonly TimeProvider _time;
    /// <summary>Created at the first warning about this client (most never get one).</summary>
    private WarningThrottle? _warnings;

    /// <param name="released">Called once the session ended and released its connection, before <see cref="Finished"/> completes (the server forgets it there).</param>
    public ClientSession(long id, ClientTransport transport, ChatHub hub, ServerOptions options, AuthThrottle auth, ILogger logger, TimeProvider? time = null,
        Action<ClientSession>? released = null)
    {
        _time = time ?? TimeProvider.System;
        _released = released;
        _connectedStamp = _time.GetTimestamp();
        _lastHeardStamp = _connectedStamp;
        Id = id;
        _transport = transport;
        _hub = hub;
        _options = options;
        _logger = logger;
        _auth = auth;
        _outbox = new Outbox(options.OutboxMaxBytes, _time);
        Dialect = transport.Dialect;
    }

    public long Id { get; }

    public IPEndPoint? RemoteEndPoint => _transport.RemoteEndPoint;

    /// <summary>What carries the session: <c>tcp</c>, <c>tls</c> or <c>websocket</c>.</summary>
    public string TransportKind => _transport.Kind;

    /// <summary>Completes when the session has ended and released its connection (at once for one never started).</summary>
    public Task Finished => Volatile.Read(ref _run) ?? Task.CompletedTask;

    public Dialect Dialect { get; private set; }

    /// <summary>Set by the hub once registered (under its lock, during a call from this session's read loop); volatile, because the watchdog reads it.</summary>
    public string? Name
    {
        get => _name;
        set => _name = value;
    }

    private volatile string? _name;

    /// <summary>False for posting-only connections (what <c>say</c> uses).</summary>
    public bool Presence { get; set; } = true;

    /// <summary>False when the client asked for no joined/left notices about others (<c>presenceNotices: false</c>, <c>/quiet</c>). Guarded by the hub's lock.</summary>
    public bool PresenceNotices { get; set; } = true;

    /// <summary>Rooms in the order joined; the last is the current room. Guarded by the hub's lock.</summary>
    public List<Room> JoinedRooms { get; } = [];

    public Room? CurrentRoom => JoinedRooms.Count > 0 ? JoinedRooms[^1] : null;

    /// <summary>Queues a frame in this client's dialect. Never waits; a client too far behind is dropped as slow. Call with the hub's lock held.</summary>
    public void Deliver(OutboundFrame frame)
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
        Send(frame);
    }

    private void Send(OutboundFrame frame)
    {
        var bytes = Dialect switch
        {
            Dialect.Json => frame.Json,
            Dialect.Text => frame.Text(withRoom: JoinedRooms.Count > 1),
            _ => [],
        };
        if (_outbox.TryEnqueue(bytes) == EnqueueResult.Full)
        {
            OnOutboxOverflow();
        }
    }

    private const int MaxWriteBatchBytes = 256 * 1024;

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
        Interlocked.CompareExchange(ref _shutdownFlushed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);
        if (Interlocked.CompareExchange(ref _closeReason, LeaveReasons.Shutdown, null) is null)
        {
            TryCancel(_stopReading);
        }
    }

    /// <summary>Server shutdown, step two (after stored messages were acknowledged): send <c>shutdown</c> and close.</summary>
    public void FinishShutdown(ServerFrame finalFrame)
    {
        if (_closeReason == LeaveReasons.Shutdown)
        {
            EnqueueLast(finalFrame);
        }
        _outbox.Complete();
        Volatile.Read(ref _shutdownFlushed)?.TrySetResult();
    }

    /// <summary>Asks the session to end after sending <paramref name="finalFrame"/>: reading stops, the queue drains.</summary>
    public void CloseGracefully(string reason, ServerFrame? finalFrame)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null)
        {
            return;
        }
        if (finalFrame is not null)
        {
            EnqueueLast(finalFrame);
        }
        _outbox.Complete();
        TryCancel(_stopReading);
    }

    /// <summary>The last frame before the queue completes: past the limit if need be, and past any held frames (the client is leaving).</summary>
    private void EnqueueLast(ServerFrame finalFrame)
    {
        if (Dialect == Dialect.Undecided)
        {
            return;
        }
        var frame = new OutboundFrame(finalFrame, new TextRenderer(_options.TimeZone));
        _outbox.TryEnqueue(Dialect == Dialect.Json ? frame.Json : frame.Text(false), ignoreLimit: true);
    }

    /// <summary>Drops the connection now, without draining (shutdown stragglers).</summary>
    public void Abort()
    {
        Interlocked.CompareExchange(ref _closeReason, LeaveReasons.Disconnected, null);
        Volatile.Read(ref _shutdownFlushed)?.TrySetResult();
        StopNow();
    }

    /// <summary>Ends both loops now: reading stops, the write loop's waits end (it is woken to see that).</summary>
    private void StopNow()
    {
        TryCancel(_abort);
        TryCancel(_stopReading);
        _outbox.WakeForCancellation();
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
        _hub.Metrics?.SlowDisconnect();
        // Never cancel inline: Deliver runs under the hub's lock, and cancellation runs callbacks.
        ThreadPool.UnsafeQueueUserWorkItem(static s => s.StopNow(), this, preferLocal: false);
    }

    /// <summary>Starts <see cref="RunAsync"/> (the server calls it once the session is in its table); <see cref="Finished"/> is that run.</summary>
    internal void Start() => Volatile.Write(ref _run, RunAsync());

    /// <summary>
    /// The session's whole life, off the caller's thread: open the transport, run the two loops
    /// until the client leaves, the connection fails or the server stops, drain, release the
    /// connection. Never throws (a session's failure is logged, never the server's). One method,
    /// not one per stage: each awaiting method costs its own object for as long as the session lives.
    /// </summary>
    public async Task RunAsync()
    {
        await Task.Yield();
        Log.Connected(_logger, Id, RemoteEndPoint?.ToString());
        try
        {
            if (!await _transport.OpenAsync(_abort.Token))
            {
                if (_transport is TlsTransport tls)
                {
                    Log.TlsFailed(_logger, Id, RemoteEndPoint?.ToString(), tls.HandshakeError ?? "");
                }
                Log.Disconnected(_logger, Id, Name ?? "-", "tls handshake failed");
                return;
            }
            var writing = WriteLoopAsync(_abort.Token);
            try
            {
                await ReadLoopAsync(_stopReading.Token);
            }
            finally
            {
                _hub.Disconnect(this, _closeReason ?? LeaveReasons.Disconnected);
                if (_closeReason == LeaveReasons.Shutdown && Volatile.Read(ref _shutdownFlushed) is { } flushed)
                {
                    // The server completes the outbox once the last acks are queued; it also bounds the wait.
                    await flushed.Task;
                }
                _outbox.Complete();
                try
                {
                    await writing.WaitAsync(DrainTimeout, _time);
                }
                catch (TimeoutException)
                {
                    StopNow();
                }
                await writing.ContinueWith(static _ => { }, TaskScheduler.Default);
                _watched = false;
                ReportSuppressedWarnings();
                Log.Disconnected(_logger, Id, Name ?? "-", _closeReason ?? LeaveReasons.Disconnected);
            }
        }
        catch (Exception ex)
        {
            // One connection's failure never brings down the server.
            Log.SessionFailed(_logger, ex, Id);
        }
        finally
        {
            _watched = false;
            await DisposeAsync();
            _released?.Invoke(this);
        }
    }

    /// <summary>
    /// The only code that writes to the transport: takes everything queued (one write for a
    /// burst: batching, not Nagle, keeps writes few), sends what the transport takes at once, and
    /// waits for it to take the rest, telling the outbox of progress; parks when nothing is queued.
    /// </summary>
    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        // Whoever cancels the token wakes the outbox too (StopNow): no registration per session.
        PooledBufferWriter? buffer = null;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                buffer ??= new PooledBufferWriter();
                buffer.Clear();
                var take = _outbox.TryTake(buffer, MaxWriteBatchBytes, out var taken);
                if (take == TakeResult.Finished)
                {
                    break;
                }
                if (take == TakeResult.Empty)
                {
                    // Idle: hold no buffer while waiting.
                    buffer.Dispose();
                    buffer = null;
                    await _outbox.WaitAsync();
                    continue;
                }
                // Most writes fit the socket's buffer at once: a non-blocking send needs no async machinery.
                _hub.Metrics?.BytesSent(taken);
                var sent = _transport.TrySend(buffer.WrittenMemory.Span);
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
                    _outbox.FinishWriting(taken);
                }
            }
            await _transport.CloseOutputAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (_transport.IsConnectionError(ex))
        {
            Log.ConnectionReset(_logger, Id, ex.Message);
        }
        finally
        {
            buffer?.Dispose();
            // A dead writer means a dead connection: stop reading too.
            StopNow();
        }
    }

    /// <summary>
    /// Waits for the transport to take <paramref name="bytes"/>, a slice at a time, telling the outbox
    /// after each that the client made progress: <c>slow</c> means no bytes taken for a while,
    /// never one big write that a client reading at its own pace needs long for (issue 9).
    /// Slices end at a line's end, so that a transport of messages (the WebSocket) gets whole lines.
    /// </summary>
    private async Task WriteWithProgressAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            var length = Math.Min(bytes.Length, ProgressSliceBytes);
            if (length < bytes.Length && bytes.Span[..length].LastIndexOf((byte)'\n') is >= 0 and var lastNewline)
            {
                length = lastNewline + 1;
            }
            else if (length < bytes.Length)
            {
                // One line longer than a slice: it goes whole.
                length = bytes.Span.IndexOf((byte)'\n') is >= 0 and var end ? end + 1 : bytes.Length;
            }
            await _transport.WriteAsync(bytes[..length], cancellationToken);
            _outbox.WriteProgressed();
            bytes = bytes[length..];
        }
    }

    /// <summary>The grain of progress: a client that reads less than this in <see cref="Outbox.StallGrace"/> while its queue is past the limit counts as not reading.</summary>
    internal const int ProgressSliceBytes = 16 * 1024;

    public async ValueTask DisposeAsync()
    {
        await _transport.DisposeAsync();
        _abort.Dispose();
        _stopReading.Dispose();
    }


    private static readonly Encoding Utf8 = new UTF8Encoding(false);

    private void SendRawText(string line) => _outbox.TryEnqueue(Utf8.GetBytes(line + "\n"));
}
