using System.Diagnostics;

namespace Sockchat.Bench;

/// <summary>The chat phase: senders post their messages while a monitor decides when the run is over.</summary>
public sealed partial class LoadGenerator
{
    /// <summary>A sender yields after this many sends in a row, so receive loops on the same core keep up.</summary>
    private const int SendsBetweenYields = 16;

    private async Task RunChatAsync(RunResult result, CancellationToken cancellationToken)
    {
        if (_clients.Any(c => c.State != ClientState.Ready) || cancellationToken.IsCancellationRequested)
        {
            return; // not_ready: a load on a partial room would count the missing clients as loss
        }
        if (_options.StopReader is { } reader)
        {
            _clients[reader].StopReading();
        }
        _phase = "send";
        using var sendStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var start = _latency.Now();
        result.SendStartTicks = start;
        var senders = Task.WhenAll(_clients.Take(_options.Senders).Select(c => SendLoopAsync(c, start, sendStop.Token)));
        await MonitorAsync(result, senders, cancellationToken);
        await sendStop.CancelAsync();
        await senders;
    }

    private async Task SendLoopAsync(BenchClient client, long startTicks, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var prefix = client.MessagePrefix;
        var suffix = client.Dialect.MessageSuffix;
        var line = new byte[prefix.Length + Math.Max(_options.Size, Payload.MaxHeaderLength + 1) + suffix.Length];
        prefix.CopyTo(line, 0);
        var period = _options.Rate > 0 ? (long)(Stopwatch.Frequency / _options.Rate) : 0;
        for (long sequence = 0; sequence < _options.Messages; sequence++)
        {
            if (period > 0 && !await WaitUntilDueAsync(startTicks + sequence * period, cancellationToken))
            {
                return;
            }
            var payload = new PayloadInfo(client.Index, sequence, _latency.Now());
            var length = prefix.Length + Payload.Encode(payload, _options.Size, line.AsSpan(prefix.Length));
            suffix.CopyTo(line, length);
            if (!await client.SendAsync(line.AsMemory(0, length + suffix.Length), cancellationToken))
            {
                return;
            }
            Interlocked.Increment(ref _sent);
            if (period == 0 && sequence % SendsBetweenYields == SendsBetweenYields - 1)
            {
                await Task.Yield();
            }
        }
    }

    /// <summary>Sleeps until <paramref name="dueTicks"/>; a sender that fell behind sends at once, catching up.</summary>
    private async Task<bool> WaitUntilDueAsync(long dueTicks, CancellationToken cancellationToken)
    {
        var wait = LatencyRecorder.ToSeconds(dueTicks - _latency.Now());
        if (wait <= 0.0005)
        {
            return !cancellationToken.IsCancellationRequested;
        }
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(wait), cancellationToken);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Polls the clients' counters until every expected delivery has arrived, the senders are done
    /// and nothing more arrives (drain timeout), nothing arrives at all (stall timeout), or time is up.
    /// </summary>
    private async Task MonitorAsync(RunResult result, Task senders, CancellationToken cancellationToken)
    {
        var expected = _options.ExpectedDeliveries;
        var counted = CountedClients().ToArray();
        var lastTotal = -1L;
        var lastProgress = _clock.Elapsed;
        var drain = TimeSpan.FromSeconds(_options.DrainTimeoutSeconds);
        var stall = TimeSpan.FromSeconds(_options.StallTimeoutSeconds);
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(20, CancellationToken.None);
            long received = 0, total = 0;
            var open = 0;
            foreach (var client in counted)
            {
                received += client.Deliveries.Unique;
                total += client.Deliveries.Unique + client.Deliveries.Duplicated + client.Corrupt;
                open += client.State == ClientState.Ready ? 1 : 0;
            }
            var now = _clock.Elapsed;
            if (total != lastTotal)
            {
                lastTotal = total;
                lastProgress = now;
            }
            if (received >= expected || open == 0)
            {
                return;
            }
            if (senders.IsCompleted && now - lastProgress > drain)
            {
                return;
            }
            if (now - lastProgress > stall)
            {
                result.Stalled = true;
                return;
            }
        }
        result.TimedOut = true;
    }
}
