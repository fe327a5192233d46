using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Sockchat.Server.Cluster;

/// <summary>
/// One node of a cluster: its <see cref="ClusterStore"/> (node id and lease), its
/// <see cref="ClusterWriter"/>, its <see cref="ClusterListener"/>, and the maintenance loop that
/// renews the lease every <see cref="ClusterOptions.Heartbeat"/>, removes nodes whose lease ran
/// out, and runs retention (one node at a time). The writer's batches and the listener's
/// notifications meet in one queue, <see cref="Work"/>, which the hub's fan-out loop reads: the
/// one place where room traffic is delivered on this node. Owned by <see cref="ChatServer"/>.
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    private readonly ClusterOptions _options;
    private readonly HistoryOptions _history;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<FanoutWork> _work = Channel.CreateUnbounded<FanoutWork>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _leaseHeld = true;
    private readonly ClusterHealth _health = new();

    private ClusterNode(ClusterStore store, ClusterOptions options, HistoryOptions history, TimeProvider time, ILogger logger)
    {
        Store = store;
        _options = options;
        _history = history;
        _time = time;
        _logger = logger;
        Writer = new ClusterWriter(store, options, _health, time, logger);
        Writer.OnStored((batch, commit) => _work.Writer.TryWrite(new LocalBatch(batch, commit)));
        Listener = new ClusterListener(store, options, _health, time, logger, work => _work.Writer.TryWrite(work));
    }

    public ClusterStore Store { get; }

    public ClusterWriter Writer { get; }

    internal ClusterListener Listener { get; }

    public ClusterOptions Options => _options;

    internal ChannelReader<FanoutWork> Work => _work.Reader;

    /// <summary>Gives the fan-out loop work from elsewhere (a joiner's <see cref="Settle"/>); false once it has ended.</summary>
    internal bool Post(FanoutWork work) => _work.Writer.TryWrite(work);

    /// <summary>True when this node can store and hear the others: what <c>/healthz</c> reports.</summary>
    public bool Healthy => _health.Healthy && Listener.Connected && _leaseHeld;

    /// <summary>Joins the cluster: schema, node id.</summary>
    /// <exception cref="HistoryException">PostgreSQL cannot be used</exception>
    public static async Task<ClusterNode> StartAsync(ClusterOptions options, HistoryOptions history, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var store = await ClusterStore.OpenAsync(options, time, cancellationToken);
        var node = new ClusterNode(store, options, history, time, logger);
        try
        {
            await node.Listener.ConnectAsync(cancellationToken);
        }
        catch (Exception ex) when (ClusterStore.IsDatabaseFailure(ex))
        {
            await node.DisposeAsync();
            throw new HistoryException($"cannot listen for the cluster's notifications: {ex.Message}", ex);
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
        return node;
    }

    /// <summary>
    /// Runs the writer, the listener and maintenance. Ends once <see cref="Complete"/> was called
    /// and the writer stored everything queued; then the fan-out's queue completes too. Faults
    /// (and so stops the server) when the others took this node for dead.
    /// </summary>
    public async Task RunAsync()
    {
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var listening = Listener.RunAsync(connected, _stop.Token);
        var maintaining = MaintainAsync(_stop.Token);
        var writing = Writer.RunAsync();
        try
        {
            var first = await Task.WhenAny(writing, maintaining);
            await first;
            await writing;
        }
        finally
        {
            await _stop.CancelAsync();
            await Task.WhenAll(listening, maintaining).ContinueWith(static _ => { }, TaskScheduler.Default);
            _work.Writer.TryComplete(writing.IsFaulted ? writing.Exception.InnerException : maintaining.IsFaulted ? maintaining.Exception.InnerException : null);
        }
    }

    /// <summary>No more messages: the writer stores what is queued and the node's loops end.</summary>
    public void Complete() => Writer.Complete();

    private async Task MaintainAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.Heartbeat, _time);
        var lastTrim = _time.GetUtcNow();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = _time.GetUtcNow();
                try
                {
                    if (!await Store.HeartbeatAsync(now, cancellationToken))
                    {
                        _leaseHeld = false;
                        throw new ServerFaultException(
                            $"the cluster took this node ({Store.NodeId}) for dead: its lease of {_options.Lease.TotalSeconds:0} s ran out, and its users were released");
                    }
                    _leaseHeld = true;
                    _health.Succeeded();
                    foreach (var dead in await Store.ReapAsync(now, _options.Lease, cancellationToken))
                    {
                        ClusterLog.NodeReaped(_logger, dead);
                    }
                    if (now - lastTrim >= _history.TrimInterval)
                    {
                        lastTrim = now;
                        var removed = await Store.TrimAsync(_history, _options.ResendWindow, now, cancellationToken);
                        if (removed > 0)
                        {
                            HistoryLog.Trimmed(_logger, removed);
                        }
                    }
                }
                catch (Exception ex) when (ClusterStore.IsDatabaseFailure(ex))
                {
                    _health.Failed();
                    ClusterLog.MaintenanceFailed(_logger, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Runs one maintenance round now (tests, with a fake clock).</summary>
    internal async Task<List<long>> ReapNowAsync(CancellationToken cancellationToken) =>
        await Store.ReapAsync(_time.GetUtcNow(), _options.Lease, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            using var leaving = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await Store.LeaveClusterAsync(_time.GetUtcNow(), leaving.Token);
        }
        catch (Exception ex) when (ClusterStore.IsDatabaseFailure(ex) || ex is OperationCanceledException)
        {
            // PostgreSQL is gone: the others release this node's names when its lease runs out.
        }
        await Store.DisposeAsync();
        _stop.Dispose();
    }
}

internal static partial class ClusterLog
{
    // A Warning, not an Error: losing the database is an expected, handled condition (retried with backoff, /healthz 503).
    [LoggerMessage(EventId = 60, Level = LogLevel.Warning, Message = "cluster: could not store {Count} messages in PostgreSQL; their senders were told (server_error); retrying with backoff")]
    public static partial void StoreFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 61, Level = LogLevel.Warning, Message = "cluster: lost the LISTEN connection ({Reason}); reconnecting in {Backoff}")]
    public static partial void ListenLost(ILogger logger, string reason, TimeSpan backoff);

    [LoggerMessage(EventId = 62, Level = LogLevel.Information, Message = "cluster: listening again")]
    public static partial void Reconnected(ILogger logger);

    [LoggerMessage(EventId = 63, Level = LogLevel.Information, Message = "cluster: node {NodeId} missed its lease; its users left (disconnected)")]
    public static partial void NodeReaped(ILogger logger, long nodeId);

    [LoggerMessage(EventId = 64, Level = LogLevel.Warning, Message = "cluster: lease and retention round failed: {Reason}")]
    public static partial void MaintenanceFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 65, Level = LogLevel.Warning, Message = "cluster: could not read room {Room} from PostgreSQL ({Reason}); the next poll tries again")]
    public static partial void ReadFailed(ILogger logger, string room, string reason);

    [LoggerMessage(EventId = 66, Level = LogLevel.Warning, Message = "cluster: PostgreSQL unreachable for {What}: {Reason}")]
    public static partial void Unreachable(ILogger logger, string what, string reason);
}
