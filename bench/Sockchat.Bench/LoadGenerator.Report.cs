using System.Diagnostics;

namespace Sockchat.Bench;

/// <summary>Turns the clients' counters and the server's figures into the run's <see cref="BenchReport"/>.</summary>
public sealed partial class LoadGenerator
{
    private BenchReport BuildReport(RunResult result, ServerMemory? before, ServerMemory? after, double? serverCpu)
    {
        var counted = CountedClients().ToArray();
        var ready = _clients.Count(c => c.State is ClientState.Ready or ClientState.Disconnected);
        var disconnected = counted.Count(c => c.State == ClientState.Disconnected);
        var received = counted.Sum(c => c.Deliveries.Unique);
        var duplicated = counted.Sum(c => c.Deliveries.Duplicated);
        var corrupt = counted.Sum(c => c.Corrupt);
        var expected = _options.ExpectedDeliveries;
        var latency = LatencyRecorder.Merge([_latency, _webLatency]);
        var lastDelivery = counted.Length == 0 ? 0 : counted.Max(c => c.LastDeliveryTicks);
        var duration = result.SendStartTicks is { } start && received > 0 ? LatencyRecorder.ToSeconds(lastDelivery - start) : 0;
        RoomFigures? room = _options.Mode == BenchMode.Room ? MeasureRoom(result) : null;
        // Idle: per ready client. Room: per connection still open (registered or not), since each holds memory.
        var divisor = room is { } r ? r.Held : ready;
        double? perConnection = _options.Mode != BenchMode.Chat && before is { } b && after is { } a && divisor > 0
            ? Math.Round((a.RssKib - b.RssKib) / (double)divisor, 2)
            : null;

        var status = Status();
        return new BenchReport
        {
            Label = _options.Label,
            Dialect = _options.IsMixed ? $"{_dialect.Name}+websocket" : _dialect.Name,
            Mode = _options.Mode switch { BenchMode.Idle => "idle", BenchMode.Room => "room", _ => "chat" },
            Clients = _clients.Length,
            Ready = ready,
            Failed = _clients.Length - ready,
            Disconnected = disconnected,
            EndReasons = EndReasons(),
            ConnectMs = Math.Round(result.ConnectMs, 1),
            ReadyMs = Math.Round(result.ReadyMs, 1),
            Senders = _options.Mode == BenchMode.Idle ? 0 : _options.Senders,
            Messages = _options.Mode == BenchMode.Idle ? 0 : _options.Messages,
            ChatRooms = _options.Mode == BenchMode.Chat ? _options.ChatRooms : null,
            Size = _options.Size,
            Rate = _options.Rate,
            Sent = Interlocked.Read(ref _sent),
            Expected = expected,
            Received = received,
            Lost = Math.Max(0, expected - received),
            Duplicated = duplicated,
            Reordered = counted.Sum(c => c.Deliveries.Reordered),
            Spliced = corrupt,
            ServerErrors = counted.Sum(c => c.ServerErrors),
            Reads = counted.Sum(c => c.Reads),
            DurationS = Math.Round(duration, 4),
            DeliveredPerS = duration > 0 ? Math.Round(received / duration) : 0,
            P50Us = latency.ValueAtPercentile(50),
            P90Us = latency.ValueAtPercentile(90),
            P99Us = latency.ValueAtPercentile(99),
            P999Us = latency.ValueAtPercentile(99.9),
            MaxUs = latency.Max,
            MeanUs = Math.Round(latency.Mean, 1),
            WebClients = _options.WebClientCount,
            Web = _options.WebClientCount > 0 && _options.Mode != BenchMode.Idle ? Group(web: true) : null,
            Tcp = _options.IsMixed && _options.Mode != BenchMode.Idle ? Group(web: false) : null,
            ServerPid = _options.ServerPid,
            ServerRssBeforeKib = before?.RssKib,
            ServerRssKib = after?.RssKib,
            ServerHwmKib = after?.HwmKib,
            KibPerConnection = perConnection,
            ServerCpuS = serverCpu is { } cpu ? Math.Round(cpu, 2) : null,
            GeneratorCpuS = Math.Round(Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, 2),
            WallS = Math.Round(_clock.Elapsed.TotalSeconds, 2),
            LastConnectMs = room?.LastConnectMs,
            RegisterWindowS = room is null ? null : _options.RegisterWindowSeconds,
            RegisteredInWindow = room?.RegisteredInWindow,
            AllRegisteredMs = room?.AllRegisteredMs,
            DeliveryWindowS = room is null ? null : _options.DeliveryWindowSeconds,
            DeliveredInWindow = room?.DeliveredInWindow,
            AllDeliveredMs = room?.AllDeliveredMs,
            ConnectionsHeld = room?.Held,
            StopReader = _options.StopReader,
            StopReaderDisconnected = result.StopReaderDisconnected,
            Status = status,
            ExitCode = status switch { "complete" => 0, "unreachable" => 3, _ => 1 },
        };

        TransportFigures Group(bool web)
        {
            var members = counted.Where(c => c.IsWebSocket == web).ToArray();
            var groupReceived = members.Sum(c => c.Deliveries.Unique);
            // Each member expects the messages of every sender in its room but its own.
            var groupExpected = members.Sum(c => _options.ExpectedAt(c.Index));
            var groupLast = members.Length == 0 ? 0 : members.Max(c => c.LastDeliveryTicks);
            var groupDuration = result.SendStartTicks is { } s && groupReceived > 0 ? LatencyRecorder.ToSeconds(groupLast - s) : 0;
            var groupLatency = (web ? _webLatency : _latency).Merge();
            return new TransportFigures
            {
                Clients = _clients.Count(c => c.IsWebSocket == web),
                Senders = _clients.Take(_options.Senders).Count(c => c.IsWebSocket == web),
                Expected = groupExpected,
                Received = groupReceived,
                Lost = Math.Max(0, groupExpected - groupReceived),
                Spliced = members.Sum(c => c.Corrupt),
                Reads = members.Sum(c => c.Reads),
                DurationS = Math.Round(groupDuration, 4),
                DeliveredPerS = groupDuration > 0 ? Math.Round(groupReceived / groupDuration) : 0,
                P50Us = groupLatency.ValueAtPercentile(50),
                P90Us = groupLatency.ValueAtPercentile(90),
                P99Us = groupLatency.ValueAtPercentile(99),
                P999Us = groupLatency.ValueAtPercentile(99.9),
                MaxUs = groupLatency.Max,
            };
        }

        IReadOnlyDictionary<string, int>? EndReasons()
        {
            var reasons = _clients
                .Where(c => c.State is ClientState.Failed or ClientState.Disconnected || (c.State != ClientState.Ready && c.EndReason is null))
                .GroupBy(c => c.EndReason ?? (c.State == ClientState.Handshaking ? "not ready in time" : "not connected"))
                .OrderByDescending(g => g.Count())
                .Take(5)
                .ToDictionary(g => g.Key, g => g.Count());
            return reasons.Count == 0 ? null : reasons;
        }

        string Status()
        {
            if (ready == 0)
            {
                return "unreachable";
            }
            if (result.TimedOut)
            {
                return "timeout";
            }
            if (ready < _clients.Length)
            {
                return "not_ready";
            }
            if (result.Stalled)
            {
                return "stalled";
            }
            var clean = received == expected && duplicated == 0 && corrupt == 0 && disconnected == 0;
            return clean ? "complete" : "lossy";
        }
    }
}
