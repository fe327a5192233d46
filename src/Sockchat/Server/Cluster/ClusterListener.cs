using Microsoft.Extensions.Logging;
using Npgsql;

namespace Sockchat.Server.Cluster;

/// <summary>
/// A node's one LISTEN connection: the room channel (every node's commits, its own included: a
/// payload carries what a commit stored in its rooms, or says which seq and event number a room reached) and the node's own channel
/// (numbered private messages for its users). Each notification becomes work for the fan-out loop. After
/// connecting (at start and after every reconnect) and every <see cref="ClusterOptions.PollInterval"/>
/// (with or without notifications meanwhile), it asks the fan-out to read every room's position:
/// the safety net for anything that happened while it was not listening, a read that failed, or
/// a notification it could not parse. Reconnects with backoff.
/// </summary>
internal sealed class ClusterListener(ClusterStore store, ClusterOptions options, ClusterHealth health, TimeProvider time, ILogger logger, Action<FanoutWork> post)
{
    private volatile bool _connected;
    private NpgsqlConnection? _first;

    /// <summary>
    /// Opens the LISTEN connection before the node takes any client (called at start), so that
    /// nothing sent to this node (a DM, which is not stored) is missed in its first moments.
    /// </summary>
    public async Task ConnectAsync(CancellationToken cancellationToken) => _first = await ListenAsync(cancellationToken);

    private async Task<NpgsqlConnection> ListenAsync(CancellationToken cancellationToken)
    {
        var connection = await store.ListenSource.OpenConnectionAsync(cancellationToken);
        try
        {
            connection.Notification += (_, e) => Handle(e.Channel, e.Payload);
            await using var listen = new NpgsqlCommand($"LISTEN {ClusterStore.RoomsChannel}; LISTEN {ClusterStore.NodeChannel(store.NodeId)};", connection);
            await listen.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Tests only: told the number of each of this node's commits whose notification arrived.</summary>
    internal Action<long>? OwnCommitHeard { get; set; }

    /// <summary>True while listening.</summary>
    public bool Connected => _connected;

    /// <summary>Listens until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(TaskCompletionSource firstConnect, CancellationToken cancellationToken)
    {
        var backoff = options.ReconnectMin;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = _first ?? await ListenAsync(cancellationToken);
                _first = null;
                if (!_connected && backoff > options.ReconnectMin)
                {
                    ClusterLog.Reconnected(logger);
                }
                _connected = true;
                health.Succeeded();
                backoff = options.ReconnectMin;
                firstConnect.TrySetResult();
                post(Resync.Instance);
                var synced = time.GetTimestamp();
                while (true)
                {
                    // Every poll interval, however busy: notifications flowing for some rooms say
                    // nothing about a read that failed in another, or one this node could not parse.
                    var left = options.PollInterval - time.GetElapsedTime(synced);
                    if (left <= TimeSpan.Zero || !await connection.WaitAsync((int)Math.Ceiling(left.TotalMilliseconds), cancellationToken))
                    {
                        post(Resync.Instance);
                        synced = time.GetTimestamp();
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ClusterStore.IsDatabaseFailure(ex))
            {
                _connected = false;
                health.Failed();
                ClusterLog.ListenLost(logger, ex.Message, backoff);
                try
                {
                    await Task.Delay(backoff, time, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.ReconnectMax.Ticks));
            }
        }
    }

    private void Handle(string channel, string payload)
    {
        if (RoomPayloads.Parse(payload, store.NodeId) is { } commit)
        {
            if (commit.Node == store.NodeId)
            {
                post(new OwnCommit(commit.Commit, commit.Sections));
                OwnCommitHeard?.Invoke(commit.Commit);
            }
            else
            {
                foreach (var section in commit.Sections)
                {
                    post(section);
                }
            }
        }
        else if (RoomPayloads.Pointer(payload) is { } pointer)
        {
            // A room reached this far outside a commit (users of a node that left or died).
            post(pointer);
        }
        else if (ClusterStore.ParseDm(payload) is { } dm)
        {
            post(dm);
        }
    }
}
