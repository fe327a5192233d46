using System.Collections.Concurrent;
using Sockchat.Protocol;

namespace Sockchat.Client;

/// <summary>The result of <see cref="OneShotSender"/>: how many messages the server acknowledged and what went wrong.</summary>
public sealed record SendReport(int Sent, int Acknowledged, IReadOnlyList<string> Refusals);

/// <summary>
/// <c>say</c>: posts messages in order over one posting-only connection and returns only once
/// the server has acknowledged every one (or refused it, or the connection or the time ran out).
/// Messages are pipelined, up to a window, rather than sent one round trip at a time.
/// </summary>
/// <param name="timeout">How long, once the last message is sent, the acknowledgements may take (measured on <paramref name="time"/>, the system clock by default).</param>
public sealed class OneShotSender(ChatClient client, string? room, string? to, TimeSpan timeout, TimeProvider? time = null)
{
    private const int Window = 256;

    /// <summary>This run's random prefix of every message id.</summary>
    private readonly string _run = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    // Message number by id. A Dictionary under a lock rather than a ConcurrentDictionary<string, int>,
    // whose code is JIT-compiled at every start of a one-shot process.
    private readonly Dictionary<string, int> _pending = [];
    private readonly Lock _pendingLock = new();
    private readonly ConcurrentQueue<string> _refusals = new();
    private readonly SemaphoreSlim _window = new(Window, Window);
    private readonly TaskCompletionSource _allDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _acknowledged;
    private bool _inputDone;

    /// <exception cref="ConnectionLostException">the connection closed before every message was acknowledged</exception>
    /// <exception cref="ChatTimeoutException">acknowledgements did not all arrive within the timeout</exception>
    public async Task<SendReport> SendAllAsync(IAsyncEnumerable<string> messages, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receiving = ReceiveAcksAsync(stop.Token);
        var sent = 0;
        await foreach (var text in messages.WithCancellation(cancellationToken))
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            sent++;
            // Unique per message, not only per connection: a cluster node takes (name, id) as the
            // message's identity, so a resend after a lost ack is not stored twice (issue 11).
            var key = $"{_run}-{sent.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
            // What FrameId.FromString makes of digits, without JsonSerializer (its first use costs tens of ms at start).
            var id = new FrameId($"\"{key}\"");
            ClientFrame frame = to is null ? new SayFrame(room, text, id) : new DmFrame(to, text, id);
            var encoded = JsonCodec.Encode(frame);
            if (encoded.Length > client.Welcome.MaxLineBytes)
            {
                _refusals.Enqueue($"message {sent} is too long ({encoded.Length} bytes; the server takes {client.Welcome.MaxLineBytes}); not sent");
                continue;
            }
            await AcquireSlotAsync(receiving, cancellationToken);
            await PaceAsync(cancellationToken);
            lock (_pendingLock)
            {
                _pending[key] = sent;
            }
            await client.SendRawAsync(encoded, cancellationToken);
        }

        // Every message is out; wait for the last acknowledgements.
        Volatile.Write(ref _inputDone, true);
        CheckDone();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timer = Task.Delay(timeout, time ?? TimeProvider.System, deadline.Token);
        var first = await Task.WhenAny(_allDone.Task, receiving, timer);
        await deadline.CancelAsync();
        if (first == receiving && !_allDone.Task.IsCompleted)
        {
            await receiving; // throws ConnectionLostException when anything is unacknowledged
        }
        else if (first == timer && !_allDone.Task.IsCompleted)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new ChatTimeoutException($"the server acknowledged {_acknowledged} of {sent} messages within {timeout.TotalSeconds:0} s");
        }
        await stop.CancelAsync();
        await receiving.ContinueWith(static _ => { }, TaskScheduler.Default);
        return new SendReport(sent, _acknowledged, _refusals.ToList());
    }

    private async Task AcquireSlotAsync(Task receiving, CancellationToken cancellationToken)
    {
        var slot = _window.WaitAsync(cancellationToken);
        if (await Task.WhenAny(slot, receiving) == receiving)
        {
            await receiving; // rethrows ConnectionLostException
            throw new ConnectionLostException($"the server closed the connection with {PendingCount} messages not acknowledged");
        }
        await slot;
    }

    // The pace: a token bucket a little under the server's (its bucket and ours do not start at the
    // same instant), computed on the TimeProvider from the time since the last message: no limiter
    // object and no timer unless a message really has to wait.
    private double _paceTokens;
    private long _paceStamp;
    private bool _paceStarted;

    /// <summary>Keeps under the rate the server announced, so a long pipe is slowed down rather than refused.</summary>
    private async Task PaceAsync(CancellationToken cancellationToken)
    {
        var welcome = client.Welcome;
        if (welcome.RatePerSecond <= 0)
        {
            return;
        }
        var clock = time ?? TimeProvider.System;
        var capacity = Math.Max(1, welcome.RateBurst * 9 / 10);
        var perSecond = welcome.RatePerSecond * 0.9;
        while (true)
        {
            var now = clock.GetTimestamp();
            _paceTokens = _paceStarted
                ? Math.Min(capacity, _paceTokens + clock.GetElapsedTime(_paceStamp, now).TotalSeconds * perSecond)
                : capacity;
            _paceStarted = true;
            _paceStamp = now;
            if (_paceTokens >= 1)
            {
                _paceTokens--;
                return;
            }
            // Until the next token is due (rounded up to a millisecond, so the wait is never zero).
            var wait = TimeSpan.FromMilliseconds(Math.Ceiling((1 - _paceTokens) / perSecond * 1000));
            await Task.Delay(wait, clock, cancellationToken);
        }
    }

    private void Settle()
    {
        _window.Release();
        CheckDone();
    }

    private void CheckDone()
    {
        if (Volatile.Read(ref _inputDone) && PendingCount == 0)
        {
            _allDone.TrySetResult();
        }
    }

    private int PendingCount
    {
        get
        {
            lock (_pendingLock)
            {
                return _pending.Count;
            }
        }
    }

    private bool TryRemovePending(FrameId id, out int number)
    {
        var key = KeyOf(id);
        lock (_pendingLock)
        {
            return _pending.Remove(key, out number);
        }
    }

    /// <summary>
    /// The id's text as <see cref="FrameId.Text"/> gives it, without JsonSerializer for the ids we send
    /// (quoted digits, echoed back as sent): a string with no escapes is its inner text.
    /// </summary>
    private static string KeyOf(FrameId id) =>
        id.RawJson is ['"', .. var inner, '"'] && !inner.Contains('\\') ? inner : id.Text;

    private async Task ReceiveAcksAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Done once every message is settled: stopping then, rather than when SendAllAsync cancels
            // the read, spares a one-shot process the cost of its first exception.
            while (!_allDone.Task.IsCompleted && await client.ReceiveAsync(cancellationToken) is { } line)
            {
                switch (line.Frame)
                {
                    case AckFrame ack when TryRemovePending(ack.Id, out _):
                        Interlocked.Increment(ref _acknowledged);
                        Settle();
                        break;
                    case ErrorFrame { Id: { } id } error when TryRemovePending(id, out var number):
                        _refusals.Enqueue($"message {number} refused: {error.Code}: {error.Message}");
                        Settle();
                        break;
                    case ErrorFrame error:
                        _refusals.Enqueue($"{error.Code}: {error.Message}");
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        if (PendingCount > 0)
        {
            throw new ConnectionLostException($"the server closed the connection with {PendingCount} messages not acknowledged");
        }
    }
}
