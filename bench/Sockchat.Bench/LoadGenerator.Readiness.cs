namespace Sockchat.Bench;

/// <summary>Between connecting and the load: waiting until every client is ready, and the idle mode's hold.</summary>
public sealed partial class LoadGenerator
{
    /// <summary>Waits until every client is ready or has failed, or the ready timeout passes; returns the elapsed ms.</summary>
    private async Task<double> WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        _phase = "ready";
        using var probeStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var probe = _dialect.NeedsReadyProbe ? ProbeReadinessAsync(probeStop.Token) : Task.CompletedTask;
        var remaining = _options.ReadyTimeout - _clock.Elapsed;
        if (remaining > TimeSpan.Zero)
        {
            await Task.WhenAny(_allSettled.Task, Task.Delay(remaining, cancellationToken));
        }
        await probeStop.CancelAsync();
        await probe;
        return _clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// A relay acknowledges nothing, so one client repeats a probe line until every other client
    /// has seen it: then the relay has registered them all and will pass on what follows.
    /// Once a second, clients still waiting send an empty line (which relays pass on and readers
    /// ignore): a silent client whose final handshake ACK was dropped by a full accept queue
    /// would otherwise stay half-open forever, while data is retransmitted until the server takes it.
    /// </summary>
    private async Task ProbeReadinessAsync(CancellationToken cancellationToken)
    {
        var line = RelayDialect.ProbeLine.ToArray().Concat(_dialect.MessageSuffix).ToArray();
        var nudge = _dialect.MessageSuffix;
        for (var round = 1; !cancellationToken.IsCancellationRequested && !_allSettled.Task.IsCompleted; round++)
        {
            var prober = _clients.FirstOrDefault(c => c.State is ClientState.Handshaking or ClientState.Ready);
            if (prober is not null)
            {
                prober.MarkReady();
                await prober.SendAsync(line, cancellationToken);
            }
            if (round % 5 == 0)
            {
                // A few at a time: each empty line is relayed to everyone, and only clients left
                // half-open by an overflowing accept queue need it.
                foreach (var waiting in _clients.Where(c => c.State == ClientState.Handshaking).Take(NudgesPerSecond))
                {
                    await waiting.SendAsync(nudge, cancellationToken);
                }
            }
            try
            {
                await Task.Delay(200, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task HoldIdleAsync(RunResult result, CancellationToken cancellationToken)
    {
        _phase = "hold";
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(_options.HoldSeconds), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            result.TimedOut = true;
        }
        // After the hold, so that what the server allocated per connection has settled.
        result.IdleMemory = ReadServerMemory();
    }
}
