using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Sockchat.Server.Cluster;

/// <summary>
/// The store stage of a cluster node: what <see cref="HistoryWriter"/> is for SQLite. Messages
/// (without seq: PostgreSQL gives it), notices and presence changes queue here; one loop commits
/// whatever gathered in one transaction (<see cref="ClusterStore.AppendAsync"/>) and passes the
/// batch, each message now with its seq, to the fan-out. A batch that cannot be stored
/// (PostgreSQL lost) is answered with <c>server_error</c> to each sender and nobody sees it; the
/// presence changes in it are kept and stored first in the next batch; the loop waits with
/// backoff before trying again, and the node reports itself unhealthy meanwhile.
/// </summary>
public sealed class ClusterWriter(ClusterStore store, ClusterOptions options, ClusterHealth health, TimeProvider time, ILogger logger) : IWriterQueue
{
    private const int MaxBatch = 1024;

    private readonly Channel<WriterItem> _queue = Channel.CreateUnbounded<WriterItem>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    private Action<StoredBatch, long>? _stored;

    /// <summary>The last commit's number (its notifications carry it).</summary>
    private long _commit;

    public ServerMetrics? Metrics { get; set; }

    /// <summary>Tests only: awaited with each commit's number before its batch goes to the fan-out (to hold it back behind its notification).</summary>
    internal Func<long, Task>? HandOffGate { get; set; }

    /// <summary>Where each batch goes once stored (or failed), with its commit number: the fan-out's queue. Set before <see cref="RunAsync"/>.</summary>
    internal void OnStored(Action<StoredBatch, long> stored) => _stored = stored;

    public bool TryEnqueue(WriterItem item) => _queue.Writer.TryWrite(item);

    public void Complete() => _queue.Writer.TryComplete();

    public async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<WriterItem>(MaxBatch);
        var carried = new List<WriterItem>();
        var backoff = options.ReconnectMin;
        while (await reader.WaitToReadAsync() || carried.Count > 0)
        {
            batch.Clear();
            batch.AddRange(carried);
            carried.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var item))
            {
                batch.Add(item);
            }
            var commit = ++_commit;
            var (items, failure) = await StoreAsync(batch, commit);
            if (HandOffGate is { } gate)
            {
                await gate(commit);
            }
            _stored!(new StoredBatch(items, failure), commit);
            if (failure is null)
            {
                health.Succeeded();
                backoff = options.ReconnectMin;
                continue;
            }
            health.Failed();
            // Presence changes must still reach the others, in their order: first in the next batch.
            carried.AddRange(batch.Where(i => i is SharedEvent or NameReleased));
            if (reader.Completion.IsCompleted && carried.Count > 0)
            {
                // Shutting down and PostgreSQL is gone: the lease ends them for the others.
                carried.Clear();
            }
            await Task.Delay(backoff, time);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.ReconnectMax.Ticks));
        }
    }

    private async Task<(WriterItem[] Items, Exception? Failure)> StoreAsync(List<WriterItem> batch, long commit)
    {
        var started = time.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var items = await store.AppendAsync(batch, commit, time.GetUtcNow(), options.ResendWindow, CancellationToken.None);
                Metrics?.HistoryWritten(time.GetElapsedTime(started));
                return (items, null);
            }
            catch (ClusterStore.ResendRace) when (attempt == 1)
            {
                // Looked up again, the resend is now found and answered with the original seq.
            }
            catch (Exception ex) when (ClusterStore.IsDatabaseFailure(ex) || ex is ClusterStore.ResendRace)
            {
                ClusterLog.StoreFailed(logger, ex, batch.Count(i => i is PendingMessage));
                return ([.. batch], ex);
            }
        }
    }
}
