using Sockchat.Protocol;

namespace Sockchat.Server;

/// <summary>
/// Where replays and history pages are read from: the SQLite file of a single server
/// (<see cref="SqliteHistoryStore"/>) or the cluster's PostgreSQL (<see cref="Cluster.ClusterStore"/>).
/// Both read bounded pages (<see cref="ReplayLimits"/>), never a whole room.
/// </summary>
public interface IHistoryReader
{
    /// <summary>See <see cref="SqliteHistoryStore.QueryAsync"/>: a page, oldest first, at most <paramref name="limit"/> and about <paramref name="maxBytes"/>.</summary>
    Task<List<MsgFrame>> QueryAsync(string room, long? before, long? after, int limit, long upTo, CancellationToken cancellationToken,
        long maxBytes = long.MaxValue, DateTimeOffset? notBefore = null);

    /// <summary>See <see cref="SqliteHistoryStore.StartOfLastAsync"/>.</summary>
    Task<(long After, int Count)> StartOfLastAsync(string room, int count, long upTo, DateTimeOffset? notBefore, CancellationToken cancellationToken);
}
