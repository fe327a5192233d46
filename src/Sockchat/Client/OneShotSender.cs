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
public sealed class OneShotSender(ChatClient client, string? room, string? to, TimeSpan timeout)
{
    private const int Window = 256;

    private readonly ConcurrentDictionary<string, int> _pending = new();
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
            var id = FrameId.FromString(sent.ToString(System.Globalization.CultureInfo.InvariantCulture));
            ClientFrame frame = to is null ? new SayFrame(room, text, id) : new DmFrame(to, text, id);
            var encoded = JsonCodec.Encode(frame);
            if (encoded.Length > client.Welcome.MaxLineBytes)
            {
                _refusals.Enqueue($"message {sent} is too long ({encoded.Length} bytes; the server takes {client.Welcome.MaxLineBytes}); not sent");
                continue;
            }
            await AcquireSlotAsync(receiving, cancellationToken);
            await PaceAsync(cancellationToken);
            _pending[id.Text] = sent;
            await client.SendRawAsync(encoded, cancellationToken);
        }

        // Every message is out; wait for the last acknowledgements.
        Volatile.Write(ref _inputDone, true);
        CheckDone();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timer = Task.Delay(timeout, deadline.Token);
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
            throw new ConnectionLostException($"the server closed the connection with {_pending.Count} messages not acknowledged");
        }
        await slot;
    }

    private System.Threading.RateLimiting.TokenBucketRateLimiter? _pace;

    /// <summary>Keeps under the rate the server announced, so a long pipe is slowed down rather than refused.</summary>
    private async Task PaceAsync(CancellationToken cancellationToken)
    {
        var welcome = client.Welcome;
        if (welcome.RatePerSecond <= 0)
        {
            return;
        }
        _pace ??= new System.Threading.RateLimiting.TokenBucketRateLimiter(new System.Threading.RateLimiting.TokenBucketRateLimiterOptions
        {
            // A little under the server's figures: its bucket and ours do not start at the same instant.
            TokenLimit = Math.Max(1, welcome.RateBurst * 9 / 10),
            TokensPerPeriod = Math.Max(1, welcome.RatePerSecond * 9 / 100),
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
            AutoReplenishment = true,
            QueueLimit = int.MaxValue,
        });
        using var lease = await _pace.AcquireAsync(1, cancellationToken);
    }

    private void Settle()
    {
        _window.Release();
        CheckDone();
    }

    private void CheckDone()
    {
        if (Volatile.Read(ref _inputDone) && _pending.IsEmpty)
        {
            _allDone.TrySetResult();
        }
    }

    private async Task ReceiveAcksAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await client.ReceiveAsync(cancellationToken) is { } line)
            {
                switch (line.Frame)
                {
                    case AckFrame ack when _pending.TryRemove(ack.Id.Text, out _):
                        Interlocked.Increment(ref _acknowledged);
                        Settle();
                        break;
                    case ErrorFrame { Id: { } id } error when _pending.TryRemove(id.Text, out var number):
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
        if (!_pending.IsEmpty)
        {
            throw new ConnectionLostException($"the server closed the connection with {_pending.Count} messages not acknowledged");
        }
    }
}
