using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Sockchat.Bench;

/// <summary>
/// Runs one benchmark: connects every client, waits until all are ready, then either sends the
/// chat load and watches it arrive (<see cref="BenchMode.Chat"/>) or holds the connections and
/// measures the server's memory (<see cref="BenchMode.Idle"/>), and returns the report. Owns the
/// clients and every loop it starts; all of them have ended when <see cref="RunAsync"/> returns,
/// which is within the time limit plus a few seconds for closing.
/// </summary>
public sealed partial class LoadGenerator : IDisposable
{
    // Long enough for a few SYN retransmissions (1 s, 3 s, 7 s, 15 s) to a server whose accept queue overflowed.
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(3);
    private const int RefusalsMeaningGone = 50;
    private const int StopReaderKernelBuffer = 4096;
    private const int NudgesPerSecond = 20;

    private readonly BenchOptions _options;
    private readonly TextWriter _log;
    private readonly ChatDialect _dialect;
    private readonly LatencyRecorder _latency = new();
    // Deliveries to WebSocket clients, on the same clock: a mixed run reports them apart from the TCP clients'.
    private readonly LatencyRecorder _webLatency;
    private readonly BenchClient[] _clients;
    private readonly CancellationTokenSource _clientsStop = new();
    private readonly TaskCompletionSource _allSettled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stopwatch _clock = new();
    private readonly long[] _readyAtTicks;
    private int _readyCount;
    private int _failedCount;
    private long _sent;
    private volatile string _phase = "connect";

    public LoadGenerator(BenchOptions options, TextWriter log)
    {
        _options = options;
        _log = log;
        _dialect = ChatDialect.Create(options.Dialect, options.IrcOper);
        _webLatency = new LatencyRecorder(_latency.BaseTicks);
        var webDialect = _dialect.IsWebSocket ? _dialect : new WebSocketDialect();
        // A receiver keeps bits only for the senders of its own room.
        var exact = (double)options.Clients * options.Senders * options.Messages / options.ChatRooms <= 2e9;
        var bufferBytes = options.Clients <= 200 ? 64 * 1024 : options.Clients <= 2000 ? 16 * 1024 : 4 * 1024;
        _clients = new BenchClient[options.Clients];
        _readyAtTicks = new long[options.Clients];
        Array.Fill(_readyAtTicks, -1L);
        for (var i = 0; i < options.Clients; i++)
        {
            var session = new DialectSession(i, i < options.Senders, RoomFor(i));
            var tracker = new DeliveryTracker(options.Senders, options.Messages, exact, options.ChatRooms, options.ChatRoomOf(i));
            var web = options.IsWebClient(i);
            _clients[i] = new BenchClient(i, web ? webDialect : _dialect, session, tracker, web ? _webLatency : _latency, options.Size,
                bufferBytes, OnStateChanged, options.ShowCorrupt > 0 ? ShowCorruptLine : null, web ? options.WebUrl : null);
        }
    }

    public async Task<BenchReport> RunAsync(CancellationToken cancellationToken = default)
    {
        _clock.Start();
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        run.CancelAfter(_options.TimeLimit);
        var servers = new List<EndPoint>();
        foreach (var port in _options.Ports.Count > 0 ? _options.Ports : [_options.Port])
        {
            servers.Add(await ResolveAsync(_options.Host, port, cancellationToken));
        }
        var memoryBefore = ReadServerMemory();
        var cpuBefore = ReadServerCpu();

        using var progressStop = new CancellationTokenSource();
        var progress = ReportProgressAsync(progressStop.Token);
        var result = new RunResult();
        try
        {
            result.ConnectMs = await ConnectAllAsync(servers, run.Token);
            result.LastConnectTicks = _clock.ElapsedTicks;
            if (_options.Mode == BenchMode.Room)
            {
                result.ReadyMs = await WaitUntilRegisteredAsync(result.LastConnectTicks, run.Token);
                await RunRoomAsync(result, run.Token);
                await HoldIdleAsync(result, run.Token);
            }
            else if (_options.Mode == BenchMode.Idle)
            {
                result.ReadyMs = await WaitUntilReadyAsync(run.Token);
                await HoldIdleAsync(result, run.Token);
            }
            else
            {
                result.ReadyMs = await WaitUntilReadyAsync(run.Token);
                await RunChatAsync(result, run.Token);
            }
            result.TimedOut |= run.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
        }
        finally
        {
            await progressStop.CancelAsync();
            await progress;
        }
        if (_options.StopReader is { } reader)
        {
            // A server may notice a stalled reader only after a grace period of its own; reading from
            // it meanwhile would unstall it, so wait first, then drain what it was sent and wait (blocking,
            // up to --stop-reader-drain) for the close behind it.
            await Task.Delay(TimeSpan.FromSeconds(_options.StopReaderGraceSeconds), cancellationToken);
            result.StopReaderDisconnected = _clients[reader].DrainAndCheckClosed(64 << 20, TimeSpan.FromSeconds(_options.StopReaderDrainSeconds));
        }
        var memoryAfter = ReadServerMemory();
        var cpuAfter = ReadServerCpu();
        await CloseAllAsync();
        return BuildReport(result, memoryBefore, result.IdleMemory ?? memoryAfter, cpuAfter - cpuBefore);
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        _clientsStop.Dispose();
        _latency.Dispose();
        _webLatency.Dispose();
    }

    /// <summary>The room client <paramref name="index"/> joins: idle mode's rooms of <c>--idle-room-size</c>, chat mode's <c>--chat-rooms</c>, else the dialect's default.</summary>
    private string? RoomFor(int index)
    {
        if (_options.Mode == BenchMode.Chat && _options.ChatRooms > 1)
        {
            return BenchOptions.RoomName(_options.ChatRoomOf(index));
        }
        if (_options.Mode != BenchMode.Idle || _options.IdleRoomSize <= 0)
        {
            return null;
        }
        return BenchOptions.RoomName(index / _options.IdleRoomSize);
    }

    private int _corruptShown;

    private void ShowCorruptLine(string sample)
    {
        if (Interlocked.Increment(ref _corruptShown) <= _options.ShowCorrupt)
        {
            _log.WriteLine("corrupt: " + sample);
        }
    }

    private void OnStateChanged(BenchClient client, ClientState state)
    {
        if (state == ClientState.Ready)
        {
            Interlocked.CompareExchange(ref _readyAtTicks[client.Index], _clock.ElapsedTicks, -1L);
        }
        var settled = state switch
        {
            ClientState.Ready => Interlocked.Increment(ref _readyCount) + Volatile.Read(ref _failedCount),
            ClientState.Failed => Interlocked.Increment(ref _failedCount) + Volatile.Read(ref _readyCount),
            _ => 0,
        };
        if (settled >= _clients.Length)
        {
            _allSettled.TrySetResult();
        }
    }

    /// <summary>Connects every client, client i to <paramref name="servers"/>[i mod n] (one server, or a cluster's nodes).</summary>
    private async Task<double> ConnectAllAsync(List<EndPoint> servers, CancellationToken cancellationToken)
    {
        var started = _clock.Elapsed;
        using var gate = new SemaphoreSlim(_options.ConnectConcurrency);
        var connects = new List<Task>(_clients.Length);
        var refusedInARow = 0;
        foreach (var client in _clients)
        {
            if (Volatile.Read(ref refusedInARow) >= RefusalsMeaningGone)
            {
                break; // nobody is listening any more (the server died): the rest would only be refused too
            }
            try
            {
                if (_options.ConnectRate > 0)
                {
                    var due = started + TimeSpan.FromSeconds(client.Index / _options.ConnectRate);
                    if (due > _clock.Elapsed)
                    {
                        await Task.Delay(due - _clock.Elapsed, cancellationToken);
                    }
                }
                await gate.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            connects.Add(ConnectOneAsync(client));
        }
        await Task.WhenAll(connects);
        var gone = Volatile.Read(ref refusedInARow) >= RefusalsMeaningGone;
        foreach (var client in _clients)
        {
            client.MarkNotConnected(gone ? "not tried: server gone" : "not tried: out of time");
        }
        return (_clock.Elapsed - started).TotalMilliseconds;

        async Task ConnectOneAsync(BenchClient client)
        {
            try
            {
                // The client that will stop reading keeps little in its kernel buffer, so that the
                // server meets a full socket after kilobytes, not after the megabytes loopback allows.
                var receiveBuffer = client.Index == _options.StopReader ? StopReaderKernelBuffer : (int?)null;
                await client.ConnectAsync(servers[client.Index % servers.Count], SourceAddressFor(client.Index), ConnectTimeout, cancellationToken, _clientsStop.Token,
                    receiveBuffer);
                if (client.EndReason == "connect: ConnectionRefused")
                {
                    Interlocked.Increment(ref refusedInARow);
                }
                else
                {
                    Volatile.Write(ref refusedInARow, 0);
                }
            }
            finally
            {
                gate.Release();
            }
        }
    }

    private IPAddress? SourceAddressFor(int index) =>
        _options.SourceAddresses <= 1 ? null : new IPAddress(new byte[] { 127, 0, 0, (byte)(1 + index % _options.SourceAddresses) });

    private async Task CloseAllAsync()
    {
        _phase = "close";
        await _clientsStop.CancelAsync();
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        var loops = Task.WhenAll(_clients.Select(c => c.ReceiveLoop));
        await Task.WhenAny(loops, Task.Delay(CloseTimeout));
    }

    private async Task ReportProgressAsync(CancellationToken cancellationToken)
    {
        if (!_options.Progress)
        {
            return;
        }
        long previous = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var received = CountedClients().Sum(c => c.Deliveries.Unique);
                var snapshot = new ProgressSnapshot(_clock.Elapsed, _phase, Volatile.Read(ref _readyCount), _clients.Length,
                    Interlocked.Read(ref _sent), (long)_options.Senders * _options.Messages, received, _options.ExpectedDeliveries,
                    received - previous, _clients.Sum(c => c.Corrupt), Volatile.Read(ref _failedCount));
                previous = received;
                await _log.WriteLineAsync(ReportFormatter.ToProgressLine(snapshot));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run is over.
        }
    }

    /// <summary>The clients whose deliveries count: all but the one that stopped reading.</summary>
    private IEnumerable<BenchClient> CountedClients() => _clients.Where(c => c.Index != _options.StopReader);

    private ServerMemory? ReadServerMemory() => _options.ServerPid is { } pid ? ProcStatus.ReadMemory(pid) : null;

    private double? ReadServerCpu() => _options.ServerPid is { } pid ? ProcStatus.ReadCpuSeconds(pid) : null;

    private static async Task<EndPoint> ResolveAsync(string host, int port, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var address))
        {
            return new IPEndPoint(address, port);
        }
        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
        var v4 = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? throw new BenchUsageException($"--host {host} has no IPv4 address");
        return new IPEndPoint(v4, port);
    }
}
