using Npgsql;
using Sockchat.Protocol;

namespace Sockchat.Server.Cluster;

public sealed partial class ClusterStore
{
    /// <inheritdoc/>
    public async Task<List<MsgFrame>> QueryAsync(string room, long? before, long? after, int limit, long upTo, CancellationToken cancellationToken,
        long maxBytes = long.MaxValue, DateTimeOffset? notBefore = null)
    {
        await _reads.WaitAsync(cancellationToken);
        try
        {
            await using var cmd = _db.CreateCommand(after is not null
                ? "SELECT seq, ts_ms, sender, text, kind FROM messages WHERE room = $1 AND seq > $2 AND seq <= $3 AND ts_ms >= $4 ORDER BY seq ASC LIMIT $5;"
                : "SELECT seq, ts_ms, sender, text, kind FROM messages WHERE room = $1 AND seq < $2 AND seq <= $3 AND ts_ms >= $4 ORDER BY seq DESC LIMIT $5;");
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = room });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after ?? before ?? long.MaxValue });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = upTo });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = notBefore?.ToUnixTimeMilliseconds() ?? long.MinValue });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = limit });
            var messages = await ReadMessagesAsync(cmd, room, history: true, maxBytes, cancellationToken);
            if (after is null)
            {
                messages.Reverse();
            }
            return messages;
        }
        finally
        {
            _reads.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<(long After, int Count)> StartOfLastAsync(string room, int count, long upTo, DateTimeOffset? notBefore, CancellationToken cancellationToken)
    {
        await _reads.WaitAsync(cancellationToken);
        try
        {
            await using var cmd = _db.CreateCommand("""
                SELECT count(*), coalesce(min(seq), 0) FROM (
                    SELECT seq FROM messages WHERE room = $1 AND seq <= $2 AND ts_ms >= $3 ORDER BY seq DESC LIMIT $4) AS last;
                """);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = room });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = upTo });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = notBefore?.ToUnixTimeMilliseconds() ?? long.MinValue });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = count });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var found = (int)reader.GetInt64(0);
            return found == 0 ? (upTo, 0) : (reader.GetInt64(1) - 1, found);
        }
        finally
        {
            _reads.Release();
        }
    }

    /// <summary>The fan-out's read: a room's messages after <paramref name="after"/> up to <paramref name="upTo"/>, oldest first, one bounded page (live, not history).</summary>
    internal async Task<List<MsgFrame>> ReadLiveAsync(string room, long after, long upTo, CancellationToken cancellationToken)
    {
        await using var cmd = _db.CreateCommand(
            "SELECT seq, ts_ms, sender, text, kind FROM messages WHERE room = $1 AND seq > $2 AND seq <= $3 ORDER BY seq ASC LIMIT $4;");
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = room });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = upTo });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = ReplayLimits.PageMessages });
        return await ReadMessagesAsync(cmd, room, history: false, ReplayLimits.PageBytes, cancellationToken);
    }

    /// <summary>The fan-out's read of a room's events after <paramref name="afterEv"/> positioned at or before <paramref name="maxAfterSeq"/>, in order, one bounded page.</summary>
    internal async Task<List<StoredEvent>> ReadEventsAsync(string room, long afterEv, long upToEv, long maxAfterSeq, CancellationToken cancellationToken)
    {
        await using var cmd = _db.CreateCommand(
            "SELECT ev, after_seq, kind, name, other, reason, node_id, ts_ms FROM events WHERE room = $1 AND ev > $2 AND ev <= $3 AND after_seq <= $4 ORDER BY ev LIMIT $5;");
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = room });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterEv });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = upToEv });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = maxAfterSeq });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = ReplayLimits.PageMessages });
        var events = new List<StoredEvent>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new StoredEvent(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetInt64(6),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7))));
        }
        return events;
    }

    private static async Task<List<MsgFrame>> ReadMessagesAsync(NpgsqlCommand cmd, string room, bool history, long maxBytes, CancellationToken cancellationToken)
    {
        var messages = new List<MsgFrame>();
        long bytes = 0;
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (bytes < maxBytes && await reader.ReadAsync(cancellationToken))
        {
            var message = new MsgFrame(room, reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                reader.GetString(2), reader.GetString(3), reader.GetString(4) == "action", History: history);
            messages.Add(message);
            bytes += ReplayLimits.Cost(message);
        }
        return messages;
    }

    /// <summary>Where one room's stream stands now (0, 0 for a room never used).</summary>
    internal async Task<(long Seq, long Event)> RoomPositionAsync(string room, CancellationToken cancellationToken)
    {
        await using var cmd = _db.CreateCommand("SELECT last_seq, last_event FROM rooms WHERE room = $1;");
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = room });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0), reader.GetInt64(1)) : (0, 0);
    }

    /// <summary>Claims a name for a present user of this node; false when someone anywhere in the cluster holds it.</summary>
    public async Task<bool> TryClaimNameAsync(string key, string name, CancellationToken cancellationToken)
    {
        await using var cmd = _db.CreateCommand("INSERT INTO users (name_key, name, node_id) VALUES ($1, $2, $3) ON CONFLICT (name_key) DO NOTHING;");
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = NodeId });
        return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Gives a claimed name back at once (a registration that failed after the claim).</summary>
    public async Task ReleaseNameAsync(string key, CancellationToken cancellationToken)
    {
        await using var cmd = _db.CreateCommand("DELETE FROM users WHERE name_key = $1 AND node_id = $2;");
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = NodeId });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Who holds a name in the cluster: its spelling and node, or null.</summary>
    public async Task<(string Name, long NodeId)?> FindUserAsync(string key, CancellationToken cancellationToken)
    {
        await using var cmd = _db.CreateCommand("SELECT name, node_id FROM users WHERE name_key = $1;");
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetInt64(1)) : null;
    }

    /// <summary>The members of a room on the other nodes.</summary>
    public async Task<List<string>> OtherMembersAsync(string room, CancellationToken cancellationToken)
    {
        await using var cmd = _db.CreateCommand("SELECT name FROM members WHERE room = $1 AND node_id <> $2;");
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = room });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = NodeId });
        var names = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }

    /// <summary>How many members each room has on the other nodes.</summary>
    public async Task<Dictionary<string, int>> OtherRoomCountsAsync(CancellationToken cancellationToken)
    {
        await using var cmd = _db.CreateCommand("SELECT room, count(*) FROM members WHERE node_id <> $1 GROUP BY room;");
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = NodeId });
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetString(0)] = (int)reader.GetInt64(1);
        }
        return counts;
    }

    /// <summary>
    /// Sends a private message to the node of its target: stored as the next number of that
    /// node's DM stream (one statement; the stream row's lock makes numbers follow commit order,
    /// without gap) and announced on the node's channel, with the message itself when it fits the
    /// payload. A node that missed the notification finds the gap and reads it (<see cref="ReadDmsAsync"/>).
    /// </summary>
    public async Task SendDmAsync(long nodeId, DmMessageFrame dm, CancellationToken cancellationToken)
    {
        await using var cmd = _db.CreateCommand("""
            WITH bumped AS (
                INSERT INTO dm_streams (node_id, last_n) VALUES ($1, 1)
                ON CONFLICT (node_id) DO UPDATE SET last_n = dm_streams.last_n + 1
                RETURNING last_n),
            stored AS (
                INSERT INTO dms (node_id, n, ts_ms, sender, target, text)
                SELECT $1, last_n, $2, $3, $4, $5 FROM bumped
                RETURNING n)
            SELECT pg_notify($6, 'd ' || n || coalesce(E'\n' || $7, '')) FROM stored;
            """);
        var body = DmPayloadBody(dm);
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = nodeId });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = dm.Ts.ToUnixTimeMilliseconds() });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = dm.From });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = dm.To });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = dm.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = NodeChannel(nodeId) });
        cmd.Parameters.Add(Nullable(System.Text.Encoding.UTF8.GetByteCount(body) + 24 <= MaxPayloadBytes ? body : null));
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>This node's DMs numbered after <paramref name="after"/> up to <paramref name="upTo"/>, in order, one bounded page.</summary>
    internal async Task<List<(long N, DmMessageFrame Dm)>> ReadDmsAsync(long after, long upTo, CancellationToken cancellationToken)
    {
        await using var cmd = _db.CreateCommand("SELECT n, ts_ms, sender, target, text FROM dms WHERE node_id = $1 AND n > $2 AND n <= $3 ORDER BY n LIMIT $4;");
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = NodeId });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = upTo });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = ReplayLimits.PageMessages });
        var dms = new List<(long, DmMessageFrame)>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            dms.Add((reader.GetInt64(0), new DmMessageFrame(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2), reader.GetString(3), reader.GetString(4))));
        }
        return dms;
    }

    /// <summary>The last number of this node's DM stream (0 before the first).</summary>
    internal async Task<long> DmPositionAsync(CancellationToken cancellationToken)
    {
        await using var cmd = _db.CreateCommand("SELECT coalesce(max(last_n), 0) FROM dm_streams WHERE node_id = $1;");
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = NodeId });
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>A DM's part of its notification: time, sender, target and text, one a line (names and text hold no newline).</summary>
    private static string DmPayloadBody(DmMessageFrame dm) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{dm.Ts.ToUnixTimeMilliseconds()}\n{dm.From}\n{dm.To}\n{dm.Text}");

    /// <summary>A DM notification: <c>d N</c>, then the message when it fitted (null: read it).</summary>
    internal static RemoteDm? ParseDm(string payload)
    {
        if (!payload.StartsWith("d ", StringComparison.Ordinal))
        {
            return null;
        }
        var parts = payload.Split('\n', 5);
        if (!long.TryParse(parts[0].AsSpan(2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
        {
            return null;
        }
        if (parts.Length == 1)
        {
            return new RemoteDm(n, null);
        }
        return parts.Length == 5 && long.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            ? new RemoteDm(n, new DmMessageFrame(DateTimeOffset.FromUnixTimeMilliseconds(ms), parts[2], parts[3], parts[4]))
            : null;
    }
}
