using System.Diagnostics;

namespace Sockchat.Bench;

/// <summary>
/// The big room (<see cref="BenchMode.Room"/>): everyone joined the dialect's default room while
/// connecting; this waits for the registrations, posts one message from client 0 and waits for it
/// to reach everyone, and works out the figures the report gives about both.
/// </summary>
public sealed partial class LoadGenerator
{
    /// <summary>Waits until every client is ready or has failed, or the register wait after the last connect passes; returns the elapsed ms.</summary>
    private async Task<double> WaitUntilRegisteredAsync(long lastConnectTicks, CancellationToken cancellationToken)
    {
        _phase = "ready";
        var deadline = Elapsed(lastConnectTicks) + TimeSpan.FromSeconds(_options.RegisterWaitSeconds);
        var remaining = deadline - _clock.Elapsed;
        if (remaining > TimeSpan.Zero)
        {
            await Task.WhenAny(_allSettled.Task, Task.Delay(remaining, cancellationToken));
        }
        return _clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// Client 0 posts one message to the room as soon as the registrations are over (all in, or the
    /// wait ran out: then to whoever is in), and this waits until every registered reader has it or
    /// the delivery wait passes. Nothing is posted when client 0 itself is not registered.
    /// </summary>
    private async Task RunRoomAsync(RunResult result, CancellationToken cancellationToken)
    {
        var sender = _clients[0];
        if (sender.State != ClientState.Ready || cancellationToken.IsCancellationRequested)
        {
            return;
        }
        _phase = "post";
        var start = _latency.Now();
        result.SendStartTicks = start;
        await SendLoopAsync(sender, start, cancellationToken);
        var readers = CountedClients().Where(c => c.Index != sender.Index).ToArray();
        var deadline = _clock.Elapsed + TimeSpan.FromSeconds(_options.DeliveryWaitSeconds);
        while (!cancellationToken.IsCancellationRequested && _clock.Elapsed < deadline)
        {
            if (readers.All(c => c.Deliveries.Unique > 0 || c.State != ClientState.Ready))
            {
                return;
            }
            try
            {
                await Task.Delay(10, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>The room mode's figures, from each client's registration time and the message's arrivals.</summary>
    private RoomFigures MeasureRoom(RunResult result)
    {
        var lastConnect = Elapsed(result.LastConnectTicks);
        var window = TimeSpan.FromSeconds(_options.RegisterWindowSeconds);
        var registeredInWindow = 0;
        var allRegistered = true;
        var lastRegistered = TimeSpan.Zero;
        foreach (var ticks in _readyAtTicks)
        {
            if (ticks < 0)
            {
                allRegistered = false;
                continue;
            }
            var at = Elapsed(ticks);
            registeredInWindow += at <= lastConnect + window ? 1 : 0;
            lastRegistered = at > lastRegistered ? at : lastRegistered;
        }
        var held = _clients.Count(c => c.State is ClientState.Handshaking or ClientState.Ready);

        int? deliveredInWindow = null;
        double? allDeliveredMs = null;
        if (result.SendStartTicks is { } start)
        {
            var readers = CountedClients().Where(c => c.Index != 0).ToArray();
            var arrivals = readers.Where(c => c.Deliveries.Unique > 0).Select(c => LatencyRecorder.ToSeconds(c.LastDeliveryTicks - start)).ToArray();
            deliveredInWindow = arrivals.Count(s => s <= _options.DeliveryWindowSeconds);
            if (arrivals.Length == readers.Length && arrivals.Length > 0)
            {
                allDeliveredMs = Math.Round(arrivals.Max() * 1000, 1);
            }
        }
        return new RoomFigures(
            LastConnectMs: Math.Round(lastConnect.TotalMilliseconds, 1),
            RegisteredInWindow: registeredInWindow,
            AllRegisteredMs: allRegistered ? Math.Round(Math.Max(0, (lastRegistered - lastConnect).TotalMilliseconds), 1) : null,
            DeliveredInWindow: deliveredInWindow,
            AllDeliveredMs: allDeliveredMs,
            Held: held);
    }

    private static TimeSpan Elapsed(long stopwatchTicks) => TimeSpan.FromSeconds(stopwatchTicks / (double)Stopwatch.Frequency);
}

/// <summary>What the room mode adds to a report (see <see cref="BenchReport"/>).</summary>
internal readonly record struct RoomFigures(
    double LastConnectMs, int RegisteredInWindow, double? AllRegisteredMs, int? DeliveredInWindow, double? AllDeliveredMs, int Held);
