using Npgsql;
using Sockchat.Protocol;

namespace Sockchat.Server.Cluster;

/// <summary>
/// Everything a node reads from and writes to the cluster's PostgreSQL: its node row and lease,
/// the group commit of a batch (seq numbers given by the per-room counter row updated in the same
/// transaction, one <c>pg_notify</c> per room), history pages, names and presence. Reads and
/// writes take pooled connections from one <see cref="NpgsqlDataSource"/>; the LISTEN connection
/// is <see cref="ClusterListener"/>'s own. Owned by <see cref="ClusterNode"/>.
/// </summary>
public sealed partial class ClusterStore : IHistoryReader, IAsyncDisposable
{
    /// <summary>The channel every node listens on for room streams; DMs go to <see cref="NodeChannel"/>.</summary>
    public const string RoomsChannel = "sockchat";

    /// <summary>NOTIFY payloads must stay under 8000 bytes; a DM's payload is refused above this.</summary>
    public const int MaxPayloadBytes = 7900;

    private const long TrimLock = 0x736F636B_63680002, ReapLock = 0x736F636B_63680003;

    private readonly NpgsqlDataSource _db;
    private readonly NpgsqlDataSource _listen;
    private readonly SemaphoreSlim _reads = new(8, 8);

    private ClusterStore(NpgsqlDataSource db, NpgsqlDataSource listen, long nodeId, string description)
    {
        _db = db;
        _listen = listen;
        NodeId = nodeId;
        Description = description;
    }

    public long NodeId { get; }

    public string Description { get; }

    /// <summary>The LISTEN connection's source: not pooled (a pooled connection would be reset, and its LISTEN dropped), with TCP keepalive.</summary>
    internal NpgsqlDataSource ListenSource => _listen;

    public static string NodeChannel(long nodeId) => $"sockchat_n{nodeId}";

    /// <summary>Connects, creates or migrates the schema, and takes a node id (a row with a fresh lease).</summary>
    /// <exception cref="HistoryException">PostgreSQL cannot be reached or used, or its schema is newer</exception>
    public static async Task<ClusterStore> OpenAsync(ClusterOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        var db = ClusterConnection.CreateDataSource(options.ConnectionString);
        var where = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        var shown = $"{where.Host}:{where.Port}/{where.Database ?? where.Username}";
        try
        {
            await ClusterSchema.MigrateAsync(db, cancellationToken);
            await using var cmd = db.CreateCommand("INSERT INTO nodes (host, started_ms, heartbeat_ms) VALUES ($1, $2, $2) RETURNING id;");
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Environment.MachineName });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = time.GetUtcNow().ToUnixTimeMilliseconds() });
            var id = (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
            var listen = new NpgsqlConnectionStringBuilder(options.ConnectionString) { Pooling = false, KeepAlive = 10 };
            return new ClusterStore(db, ClusterConnection.CreateDataSource(listen.ConnectionString), id, $"cluster node {id} on PostgreSQL {shown}");
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or ArgumentException)
        {
            await db.DisposeAsync();
            throw new HistoryException($"cannot use the cluster database {shown}: {ex.Message}", ex);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>True for the failures that mean "PostgreSQL is unreachable or refused this", not a bug.</summary>
    public static bool IsDatabaseFailure(Exception ex) =>
        ex is NpgsqlException or IOException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException { Source: "Npgsql" };

    /// <summary>Every room's last seq and event number.</summary>
    public async Task<List<(string Room, long Seq, long Event)>> LoadRoomsAsync(CancellationToken cancellationToken)
    {
        var rooms = new List<(string, long, long)>();
        await using var cmd = _db.CreateCommand("SELECT room, last_seq, last_event FROM rooms;");
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rooms.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        }
        return rooms;
    }

    /// <summary>Renews this node's lease; false when the row is gone (the others took it for dead).</summary>
    public async Task<bool> HeartbeatAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var cmd = _db.CreateCommand("UPDATE nodes SET heartbeat_ms = $1 WHERE id = $2;");
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = now.ToUnixTimeMilliseconds() });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = NodeId });
        return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Removes the nodes whose lease ran out (one node at a time does it, under an advisory lock):
    /// their names and presence go, and each of their users leaves each room with reason
    /// <c>disconnected</c>, as an event in the room's stream every node delivers. Returns the nodes removed.
    /// </summary>
    public async Task<List<long>> ReapAsync(DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        var reaped = new List<long>();
        await using var connection = await _db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        if (!await TryLockAsync(connection, ReapLock, cancellationToken))
        {
            return reaped;
        }
        await using (var find = new NpgsqlCommand("SELECT id FROM nodes WHERE heartbeat_ms < $1 AND id <> $2 ORDER BY id;", connection))
        {
            find.Parameters.Add(new NpgsqlParameter<long> { TypedValue = (now - lease).ToUnixTimeMilliseconds() });
            find.Parameters.Add(new NpgsqlParameter<long> { TypedValue = NodeId });
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                reaped.Add(reader.GetInt64(0));
            }
        }
        if (reaped.Count > 0)
        {
            await ReleaseNodesAsync(connection, reaped, LeaveReasons.Disconnected, now, cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return reaped;
    }

    /// <summary>
    /// This node is stopping: its names and presence go at once (no lease to wait for), and each
    /// of its users still in a room leaves it with reason <c>shutdown</c> in every node's stream.
    /// </summary>
    public async Task LeaveClusterAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await ReleaseNodesAsync(connection, [NodeId], LeaveReasons.Shutdown, now, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The nodes' users leave every room they were in (events after each room's last seq, one
    /// notification per room), then their presence, names and rows go. Inside the caller's
    /// transaction. The rooms' counter rows are taken in the writers' order (ordinal, whatever
    /// the database's collation), so this never deadlocks with a node's group commit.
    /// </summary>
    private static async Task ReleaseNodesAsync(NpgsqlConnection connection, IReadOnlyList<long> nodes, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var leaving = new List<(string Room, string Name, long Node)>();
        await using (var members = new NpgsqlCommand("SELECT room, name, node_id FROM members WHERE node_id = ANY($1) ORDER BY node_id, name_key;", connection))
        {
            members.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. nodes] });
            await using var reader = await members.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                leaving.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
            }
        }
        foreach (var room in leaving.GroupBy(l => l.Room, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var names = room.ToList();
            await using var bump = new NpgsqlCommand("UPDATE rooms SET last_event = last_event + $2 WHERE room = $1 RETURNING last_seq, last_event;", connection);
            bump.Parameters.Add(new NpgsqlParameter<string> { TypedValue = room.Key });
            bump.Parameters.Add(new NpgsqlParameter<long> { TypedValue = names.Count });
            long seq, ev;
            await using (var reader = await bump.ExecuteReaderAsync(cancellationToken))
            {
                if (!await reader.ReadAsync(cancellationToken))
                {
                    continue;
                }
                (seq, ev) = (reader.GetInt64(0), reader.GetInt64(1));
            }
            await using var batch = new NpgsqlBatch(connection);
            var first = ev - names.Count + 1;
            for (var i = 0; i < names.Count; i++)
            {
                batch.BatchCommands.Add(EventCommand(room.Key, first + i, seq, RoomEvent.Left, names[i].Name, null, reason, names[i].Node, now));
            }
            batch.BatchCommands.Add(NotifyCommand(RoomsChannel, RoomPayload(room.Key, seq, ev)));
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        foreach (var node in nodes)
        {
            await using var drop = ForgetNode(node);
            drop.Connection = connection;
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>A node's presence, names and row, gone (one round trip; a parameterized command holds one statement, so a batch).</summary>
    private static NpgsqlBatch ForgetNode(long nodeId)
    {
        var batch = new NpgsqlBatch();
        foreach (var sql in new[]
        {
            "DELETE FROM members WHERE node_id = $1;", "DELETE FROM users WHERE node_id = $1;", "DELETE FROM dms WHERE node_id = $1;",
            "DELETE FROM dm_streams WHERE node_id = $1;", "DELETE FROM nodes WHERE id = $1;",
        })
        {
            var cmd = new NpgsqlBatchCommand(sql);
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = nodeId });
            batch.BatchCommands.Add(cmd);
        }
        return batch;
    }

    /// <summary>Retention, run by one node at a time (the others find the advisory lock taken and skip).</summary>
    public async Task<int> TrimAsync(HistoryOptions options, TimeSpan resendWindow, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        if (!await TryLockAsync(connection, TrimLock, cancellationToken))
        {
            return 0;
        }
        var removed = 0;
        if (options.MaxAge is { } age)
        {
            removed += await ExecuteAsync(connection, "DELETE FROM messages WHERE ts_ms < $1;", cancellationToken, (now - age).ToUnixTimeMilliseconds());
        }
        if (options.MaxMessagesPerRoom > 0)
        {
            removed += await ExecuteAsync(connection,
                "DELETE FROM messages m USING rooms r WHERE r.room = m.room AND m.seq <= r.last_seq - $1;", cancellationToken, (long)options.MaxMessagesPerRoom);
        }
        if (options.MaxTotalMessages > 0)
        {
            removed += await ExecuteAsync(connection, """
                DELETE FROM messages WHERE (room, seq) IN (
                    SELECT room, seq FROM messages ORDER BY ts_ms, room, seq
                    LIMIT greatest(0, (SELECT count(*) FROM messages) - $1));
                """, cancellationToken, (long)options.MaxTotalMessages);
        }
        // Idempotency keys past the resend window, and events and DMs no node can still be behind on.
        await ExecuteAsync(connection, "DELETE FROM posted WHERE ts_ms < $1;", cancellationToken, (now - resendWindow).ToUnixTimeMilliseconds());
        await ExecuteAsync(connection, "DELETE FROM events WHERE ts_ms < $1;", cancellationToken, (now - TimeSpan.FromHours(1)).ToUnixTimeMilliseconds());
        await ExecuteAsync(connection, "DELETE FROM dms WHERE ts_ms < $1;", cancellationToken, (now - TimeSpan.FromHours(1)).ToUnixTimeMilliseconds());
        await tx.CommitAsync(cancellationToken);
        return removed;
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, long key, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand($"SELECT pg_try_advisory_xact_lock({key});", connection);
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, long value)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = value });
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static string RoomPayload(string room, long seq, long ev) => $"r {seq} {ev} {room}";

    internal static NpgsqlBatchCommand NotifyCommand(string channel, string payload)
    {
        var cmd = new NpgsqlBatchCommand("SELECT pg_notify($1, $2);");
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = channel });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = payload });
        return cmd;
    }

    internal static NpgsqlBatchCommand EventCommand(string room, long ev, long afterSeq, string kind, string name, string? other, string? reason, long nodeId, DateTimeOffset ts)
    {
        var cmd = new NpgsqlBatchCommand(
            "INSERT INTO events (room, ev, after_seq, kind, name, other, reason, node_id, ts_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);");
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = room });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = ev });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSeq });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kind });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        cmd.Parameters.Add(Nullable(other));
        cmd.Parameters.Add(Nullable(reason));
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = nodeId });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = ts.ToUnixTimeMilliseconds() });
        return cmd;
    }

    internal static NpgsqlParameter Nullable(string? value) =>
        new() { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync();
        await _listen.DisposeAsync();
        _reads.Dispose();
    }
}
