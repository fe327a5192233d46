using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Sockchat.Protocol;
using Sockchat.Server.Transports;

namespace Sockchat.Server;

/// <summary>
/// The chat server: binds the listening socket, accepts connections (one asynchronous
/// <see cref="ClientSession"/> each, never a thread per client) and shuts down politely.
/// Lifetime: <see cref="Start"/> binds (so <see cref="LocalEndPoint"/> is known, also for port 0),
/// <see cref="RunAsync"/> serves until its token is cancelled, then stops accepting, sends every
/// client <c>shutdown</c>, waits up to <see cref="ServerOptions.ShutdownTimeout"/> and drops stragglers.
/// </summary>
public sealed class ChatServer(ServerOptions options, ILoggerFactory loggerFactory, TimeProvider? timeProvider = null) : IAsyncDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("sockchat.server");
    /// <summary>The one table of live sessions: added before a session runs, removed once it has ended and released its connection.</summary>
    private readonly ConcurrentDictionary<long, ClientSession> _sessions = new();
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private readonly AuthThrottle _auth = new(options.Password, timeProvider ?? TimeProvider.System);
    private ChatHub? _hub;
    private ServerMetrics? _metrics;
    private SqliteHistoryStore? _store;
    private HistoryWriter? _writer;
    private Cluster.ClusterNode? _cluster;
    private Socket? _listener;
    private long _nextId;

    /// <summary>Where the server accepts connections; valid after <see cref="Start"/>.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)(_listener?.LocalEndPoint ?? throw new InvalidOperationException("the server is not started"));

    public int ConnectionCount => _sessions.Count;

    /// <summary>The chat state; valid after <see cref="StartAsync"/> (tests read its counts).</summary>
    internal ChatHub? Hub => _hub;

    /// <summary>The server's instruments; valid after <see cref="StartAsync"/>.</summary>
    public ServerMetrics? Metrics => _metrics;

    /// <summary>The store stage (tests reach in to make it fail).</summary>
    internal HistoryWriter? Writer => _writer;

    /// <summary>The listening socket (tests close it under the accept loop).</summary>
    internal Socket? Listener => _listener;

    /// <summary>True from <see cref="StartAsync"/> until shutdown begins: the server takes new chat connections.</summary>
    public bool Accepting => Volatile.Read(ref _accepting);

    private bool _accepting;

    /// <summary>What the history store is, for the start-up log and line.</summary>
    public string HistoryDescription => _cluster?.Store.Description ?? _store?.Description ?? "";

    /// <summary>What <c>/healthz</c> reports: accepting chat connections and, in a cluster, able to store and hear the others.</summary>
    public bool Healthy => Accepting && (_cluster?.Healthy ?? true);

    /// <summary>The cluster node, in cluster mode (tests reach its store).</summary>
    internal Cluster.ClusterNode? Cluster => _cluster;

    /// <summary>
    /// Opens the history store (creating or migrating it), restores the rooms, then binds and listens.
    /// Nothing listens unless all of that worked.
    /// </summary>
    /// <exception cref="HistoryException">the history file cannot be used</exception>
    /// <exception cref="SocketException">the address is taken or not local</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var time = timeProvider ?? TimeProvider.System;
        if (options.Cluster is { } cluster)
        {
            _cluster = await Sockchat.Server.Cluster.ClusterNode.StartAsync(cluster, options.History, time, _logger, cancellationToken);
            HistoryLog.Opened(_logger, _cluster.Store.Description);
            _hub = new ChatHub(options, _cluster, time, _logger);
        }
        else
        {
            _store = SqliteHistoryStore.Open(options.History);
            HistoryLog.Opened(_logger, _store.Description);
            _writer = new HistoryWriter(_store, options.History, time, _logger);
            _writer.Trim();
            _hub = new ChatHub(options, _store, _writer, time, _logger);
        }
        _metrics = new ServerMetrics(options.Version, () => _sessions.Values.Sum(s => s.QueuedBytes));
        _hub.Metrics = _metrics;
        if (_writer is not null)
        {
            _writer.Metrics = _metrics;
        }
        if (_cluster is not null)
        {
            _cluster.Writer.Metrics = _metrics;
        }
        await _hub.LoadAsync(cancellationToken);
        var listener = new Socket(options.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (options.EndPoint.AddressFamily == AddressFamily.InterNetworkV6 && options.EndPoint.Address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }
            listener.Bind(options.EndPoint);
            listener.Listen(1024);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        _listener = listener;
        Log.Listening(_logger, LocalEndPoint.ToString());
    }

    /// <summary>
    /// Serves until <paramref name="cancellationToken"/> is cancelled, then shuts down gracefully.
    /// Owns three loops: accepting, storing (<see cref="HistoryWriter"/>) and fan-out
    /// (<see cref="ChatHub.RunFanoutAsync"/>). If any of them fails, the server does not go on
    /// accepting users whose messages would never be stored or delivered: it logs Critical, shuts
    /// down, and throws <see cref="ServerFaultException"/> (serve exits 1).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var listener = _listener ?? throw new InvalidOperationException("call StartAsync first");
        var storing = _cluster?.RunAsync() ?? _writer!.RunAsync();
        var fanout = _hub!.RunFanoutAsync();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var period = ClientSession.WatchdogPeriod(options);
        _watchdog = (timeProvider ?? TimeProvider.System).CreateTimer(static s => ((ChatServer)s!).WatchSessions(), this, period, period);
        var accepting = AcceptLoopAsync(listener, stop.Token);
        Volatile.Write(ref _accepting, true);
        var first = await Task.WhenAny(accepting, storing, fanout);
        var (loop, fault) = first == accepting
            ? ("accept", accepting.IsFaulted ? accepting.Exception.InnerException : null)
            : (first == storing ? "history writer" : "fan-out", first.Exception?.InnerException ?? new InvalidOperationException("the loop ended while the server was running"));
        if (fault is not null)
        {
            Log.LoopFailed(_logger, fault, loop);
        }
        Volatile.Write(ref _accepting, false);
        await stop.CancelAsync();
        await accepting.ContinueWith(static _ => { }, TaskScheduler.Default);
        listener.Dispose();
        await ShutdownAsync(storing, fanout);
        await _watchdog.DisposeAsync();
        if (fault is not null)
        {
            throw new ServerFaultException($"the server stopped because its {loop} loop failed: {fault.Message}", fault);
        }
    }

    private async Task AcceptLoopAsync(Socket listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset or SocketError.TooManyOpenSockets)
            {
                // The peer gave up before we accepted, or we are out of descriptors: not fatal.
                Log.ConnectionReset(_logger, -1, ex.Message);
                if (ex.SocketErrorCode == SocketError.TooManyOpenSockets)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(50), timeProvider ?? TimeProvider.System, cancellationToken);
                }
                continue;
            }
            socket.NoDelay = true;
            EnableKeepAlive(socket);
            if (_sessions.Count >= options.MaxClients)
            {
                Log.ServerFull(_logger, socket.RemoteEndPoint?.ToString(), options.MaxClients);
                Refuse(socket, $"the server is full ({options.MaxClients} clients); try again later");
                continue;
            }
            var address = (socket.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
            var fromAddress = _perAddress.AddOrUpdate(address, 1, (_, n) => n + 1);
            if (options.MaxConnectionsPerAddress > 0 && fromAddress > options.MaxConnectionsPerAddress)
            {
                ReleaseAddress(address);
                Log.TooManyFromAddress(_logger, socket.RemoteEndPoint?.ToString(), options.MaxConnectionsPerAddress);
                Refuse(socket, $"too many connections from your address (at most {options.MaxConnectionsPerAddress})");
                continue;
            }
            ClientTransport transport = options.Certificate is { } certificate
                ? new TlsTransport(socket, certificate, options.HandshakeTimeout)
                : new TcpTransport(socket);
            StartSession(transport);
        }
    }

    /// <summary>
    /// Runs a session over a connection that some front end accepted (the web port's WebSocket):
    /// the same limits, hub and shutdown as the chat port. Completes when the session has ended.
    /// Null when the server is full or not accepting; then the caller refuses the connection.
    /// </summary>
    public Task? TryRunSession(ClientTransport transport)
    {
        if (!Accepting || _sessions.Count >= options.MaxClients)
        {
            Log.ServerFull(_logger, transport.RemoteEndPoint?.ToString(), options.MaxClients);
            return null;
        }
        var address = transport.RemoteEndPoint?.Address ?? IPAddress.None;
        if (options.MaxConnectionsPerAddress > 0 && _perAddress.AddOrUpdate(address, 1, (_, n) => n + 1) > options.MaxConnectionsPerAddress)
        {
            ReleaseAddress(address);
            Log.TooManyFromAddress(_logger, transport.RemoteEndPoint?.ToString(), options.MaxConnectionsPerAddress);
            return null;
        }
        if (options.MaxConnectionsPerAddress <= 0)
        {
            _perAddress.AddOrUpdate(address, 1, (_, n) => n + 1);
        }
        return StartSession(transport).Finished;
    }

    private ClientSession StartSession(ClientTransport transport)
    {
        var id = Interlocked.Increment(ref _nextId);
        var session = new ClientSession(id, transport, _hub!, options, _auth, _logger, timeProvider, _released ??= Released);
        // In the table before it runs: shutdown sees every session that could still take messages.
        _sessions[id] = session;
        _metrics?.ConnectionOpened(session.TransportKind, session.Dialect);
        session.Start();
        return session;
    }

    private Action<ClientSession>? _released;

    /// <summary>A session ended and released its connection (called by it, once): forget it. Shutdown awaits <see cref="ClientSession.Finished"/>.</summary>
    private void Released(ClientSession session)
    {
        ReleaseAddress(session.RemoteEndPoint?.Address ?? IPAddress.None);
        _sessions.TryRemove(session.Id, out _);
        _metrics?.ConnectionClosed(session.TransportKind, session.Dialect);
    }

    /// <summary>
    /// The one watchdog timer of all sessions, on the server's <see cref="TimeProvider"/>: every
    /// <see cref="ClientSession.WatchdogPeriod"/> it lets each session check its deadlines
    /// (<see cref="ClientSession.Watch"/>). One timer for the server instead of one per session:
    /// ten thousand idle connections cost ten thousand looks a tick, not ten thousand timers.
    /// Ticks never overlap: a tick that finds the last one still running is skipped.
    /// </summary>
    private void WatchSessions()
    {
        if (Interlocked.Exchange(ref _watching, 1) == 1)
        {
            return;
        }
        try
        {
            foreach (var session in _sessions.Values)
            {
                try
                {
                    session.Watch();
                }
                catch (Exception ex)
                {
                    // A timer callback that throws ends the process; one session's failure must not.
                    Log.SessionFailed(_logger, ex, session.Id);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _watching, 0);
        }
    }

    private int _watching;
    private ITimer? _watchdog;

    private void ReleaseAddress(IPAddress address)
    {
        if (_perAddress.AddOrUpdate(address, 0, (_, n) => n - 1) <= 0)
        {
            _perAddress.TryRemove(new KeyValuePair<IPAddress, int>(address, 0));
        }
    }

    /// <summary>TCP keepalive finds peers that vanished without a FIN, including text clients that cannot answer pings.</summary>
    private void EnableKeepAlive(Socket socket)
    {
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, Math.Max(1, (int)options.PingInterval.TotalSeconds));
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, Math.Max(1, (int)(options.PingTimeout.TotalSeconds / 3)));
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
        }
        catch (SocketException)
        {
            // Not every platform takes every option; keepalive is a safety net, not a requirement.
        }
    }

    private static void Refuse(Socket socket, string message)
    {
        try
        {
            // The first bytes on a fresh socket fit its send buffer, so this does not block.
            // Both dialects can read it: JSON clients see an error frame, people see its message.
            socket.Send(JsonCodec.Encode(new ErrorFrame(ErrorCodes.ServerFull, message)));
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        finally
        {
            socket.Dispose();
        }
    }

    private async Task ShutdownAsync(Task storing, Task fanout)
    {
        Log.Stopping(_logger, _sessions.Count);
        // Stop taking messages, store and acknowledge what was accepted, then say goodbye.
        foreach (var session in _sessions.Values)
        {
            session.BeginShutdown();
        }
        _writer?.Complete();
        _cluster?.Complete();
        // Faults were logged by RunAsync; here they only must not stop the goodbyes.
        await Task.WhenAll(storing, fanout).ContinueWith(static _ => { }, TaskScheduler.Default);
        foreach (var session in _sessions.Values)
        {
            session.FinishShutdown(new ShutdownFrame("server shutting down"));
        }
        try
        {
            await Task.WhenAll(_sessions.Values.Select(s => s.Finished)).WaitAsync(options.ShutdownTimeout);
        }
        catch (TimeoutException)
        {
            foreach (var session in _sessions.Values)
            {
                session.Abort();
            }
            await Task.WhenAll(_sessions.Values.Select(s => s.Finished));
        }
        if (_store is not null)
        {
            await _store.DisposeAsync();
            _store = null;
        }
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            _cluster = null;
        }
        Log.Stopped(_logger);
    }

    public async ValueTask DisposeAsync()
    {
        _metrics?.Dispose();
        _listener?.Dispose();
        if (_watchdog is not null)
        {
            await _watchdog.DisposeAsync();
        }
        if (_store is not null)
        {
            await _store.DisposeAsync();
            _store = null;
        }
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            _cluster = null;
        }
    }
}
