using Npgsql;
using NpgsqlTypes;
using Sockchat.Protocol;

namespace Sockchat.Server.Cluster;

public sealed partial class ClusterStore
{
    /// <summary>A resend of one id raced another node storing the same id; the batch is rolled back and tried once more.</summary>
    internal sealed class ResendRace() : Exception("a message id was stored by another node in the same moment");

    /// <summary>
    /// The group commit of one batch, in one transaction: resends recognised by (sender, client id)
    /// within the resend window; the counter rows of the batch's rooms bumped by its messages and
    /// events in one statement, in room order (so two nodes never deadlock), with <c>RETURNING</c>,
    /// which gives this batch the next seq numbers and holds the row locks to the commit, so seq
    /// order is commit order and has no gap; the messages copied in; the events (joined/left/nick)
    /// positioned after the seq reached at their place in the batch; presence and names updated;
    /// the notifications of commit number <paramref name="commit"/>, which carry what was stored in
    /// every room (<see cref="RoomPayloads"/>; PostgreSQL delivers them in commit order). Returns
    /// the batch with each message as a <see cref="StoredMessage"/> that carries its seq; durable
    /// when this returns.
    /// </summary>
    internal async Task<WriterItem[]> AppendAsync(IReadOnlyList<WriterItem> batch, long commit, DateTimeOffset now, TimeSpan resendWindow, CancellationToken cancellationToken)
    {
        await using var connection = await _db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // Each message's key computed once (it hashes the text).
        var keys = new Dictionary<PendingMessage, (string, string, string)>(ReferenceEqualityComparer.Instance);
        (string, string, string) KeyOf(PendingMessage pending, FrameId id) =>
            keys.TryGetValue(pending, out var known) ? known : keys[pending] = IdempotencyKey(pending.Message, id);
        var earlier = await FindResendsAsync(connection, batch, now - resendWindow, KeyOf, cancellationToken);

        // How many seqs and event numbers each room needs.
        var needs = new SortedDictionary<string, (long Messages, long Events)>(StringComparer.Ordinal);
        var inBatch = new Dictionary<(string, string, string), MsgFrame>();
        foreach (var item in batch)
        {
            switch (item)
            {
                case PendingMessage pending when !IsResend(pending, earlier, inBatch, KeyOf):
                    var n = needs.GetValueOrDefault(pending.Message.Room);
                    needs[pending.Message.Room] = (n.Messages + 1, n.Events);
                    break;
                case SharedEvent shared:
                    var e = needs.GetValueOrDefault(shared.Event.Room);
                    needs[shared.Event.Room] = (e.Messages, e.Events + 1);
                    break;
            }
        }
        inBatch.Clear();
        var next = await BumpRoomsAsync(connection, needs, cancellationToken);
        var starts = new Dictionary<string, (long Seq, long Ev)>(next, StringComparer.Ordinal);
        // Each room's part of the batch in stream order: what the notifications carry to the other nodes.
        var streams = new Dictionary<string, List<object>>(StringComparer.Ordinal);
        List<object> StreamOf(string room) => streams.TryGetValue(room, out var stream) ? stream : streams[room] = [];

        var result = new WriterItem[batch.Count];
        var writes = new NpgsqlBatch(connection);
        var copied = new List<MsgFrame>();
        for (var i = 0; i < batch.Count; i++)
        {
            switch (batch[i])
            {
                case PendingMessage pending:
                    if (Resend(pending, earlier, inBatch, KeyOf) is { } original)
                    {
                        result[i] = new StoredMessage(original, pending.Sender, pending.Id, Duplicate: true);
                        break;
                    }
                    var room = pending.Message.Room;
                    var position = next[room];
                    var stored = pending.Message with { Seq = position.Seq + 1 };
                    next[room] = (position.Seq + 1, position.Ev);
                    copied.Add(stored);
                    StreamOf(room).Add(stored);
                    if (pending.Id is { } id)
                    {
                        var key = KeyOf(pending, id);
                        inBatch[key] = stored;
                        writes.BatchCommands.Add(PostedCommand(key, stored, now - resendWindow));
                    }
                    result[i] = new StoredMessage(stored, pending.Sender, pending.Id, Duplicate: false);
                    break;
                case SharedEvent { Event: var change }:
                    var at = next[change.Room];
                    next[change.Room] = (at.Seq, at.Ev + 1);
                    writes.BatchCommands.Add(EventCommand(change.Room, at.Ev + 1, at.Seq, change.Kind, change.Name, change.Other, change.Reason, NodeId, now));
                    StreamOf(change.Room).Add(new StoredEvent(at.Ev + 1, at.Seq, change.Kind, change.Name, change.Other, change.Reason, NodeId, now));
                    writes.BatchCommands.Add(PresenceCommand(change));
                    result[i] = batch[i];
                    break;
                case NameReleased released:
                    var release = new NpgsqlBatchCommand("DELETE FROM users WHERE name_key = $1 AND node_id = $2;");
                    release.Parameters.Add(new NpgsqlParameter<string> { TypedValue = released.Key });
                    release.Parameters.Add(new NpgsqlParameter<long> { TypedValue = NodeId });
                    writes.BatchCommands.Add(release);
                    result[i] = batch[i];
                    break;
                default:
                    result[i] = batch[i];
                    break;
            }
        }
        var parts = streams.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new RoomPart(s.Key, starts[s.Key].Seq, starts[s.Key].Ev, s.Value)).ToList();
        foreach (var payload in RoomPayloads.Build(NodeId, commit, parts))
        {
            writes.BatchCommands.Add(NotifyCommand(RoomsChannel, payload));
        }
        if (copied.Count > 0)
        {
            await CopyMessagesAsync(connection, copied, cancellationToken);
        }
        if (writes.BatchCommands.Count > 0)
        {
            await writes.ExecuteNonQueryAsync(cancellationToken);
            foreach (var cmd in writes.BatchCommands)
            {
                // A posted row not written: a live one with the same key appeared since we looked.
                if (cmd.CommandText.StartsWith("INSERT INTO posted", StringComparison.Ordinal) && cmd.RecordsAffected == 0)
                {
                    throw new ResendRace();
                }
            }
        }
        await tx.CommitAsync(cancellationToken);
        return result;
    }

    private static bool IsResend(PendingMessage pending, Dictionary<(string, string, string), MsgFrame> earlier, Dictionary<(string, string, string), MsgFrame> inBatch,
        Func<PendingMessage, FrameId, (string, string, string)> keyOf)
    {
        if (pending.Id is not { } id)
        {
            return false;
        }
        var key = keyOf(pending, id);
        if (earlier.ContainsKey(key) || inBatch.ContainsKey(key))
        {
            return true;
        }
        inBatch[key] = pending.Message;
        return false;
    }

    /// <summary>The message stored before under the same sender and id (in the database, or earlier in this batch), or null.</summary>
    private static MsgFrame? Resend(PendingMessage pending, Dictionary<(string, string, string), MsgFrame> earlier, Dictionary<(string, string, string), MsgFrame> inBatch,
        Func<PendingMessage, FrameId, (string, string, string)> keyOf)
    {
        if (pending.Id is not { } id)
        {
            return null;
        }
        var key = keyOf(pending, id);
        return earlier.TryGetValue(key, out var stored) || inBatch.TryGetValue(key, out stored) ? stored : null;
    }

    /// <summary>The messages of this batch whose (sender, id) was stored within the window: their seq, one round trip for all.</summary>
    private static async Task<Dictionary<(string, string, string), MsgFrame>> FindResendsAsync(NpgsqlConnection connection, IReadOnlyList<WriterItem> batch,
        DateTimeOffset windowStart, Func<PendingMessage, FrameId, (string, string, string)> keyOf, CancellationToken cancellationToken)
    {
        var found = new Dictionary<(string, string, string), MsgFrame>();
        var keys = new List<((string Sender, string Id, string Digest) Key, MsgFrame Message)>();
        var seen = new HashSet<(string, string, string)>();
        foreach (var item in batch)
        {
            if (item is PendingMessage { Id: { } id } pending && seen.Add(keyOf(pending, id)))
            {
                keys.Add((keyOf(pending, id), pending.Message));
            }
        }
        if (keys.Count == 0)
        {
            return found;
        }
        await using var lookups = new NpgsqlBatch(connection);
        foreach (var ((sender, id, digest), _) in keys)
        {
            var cmd = new NpgsqlBatchCommand("SELECT room, seq FROM posted WHERE sender_key = $1 AND client_id = $2 AND digest = $4 AND ts_ms >= $3;");
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = sender });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = windowStart.ToUnixTimeMilliseconds() });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = digest });
            lookups.BatchCommands.Add(cmd);
        }
        await using var reader = await lookups.ExecuteReaderAsync(cancellationToken);
        var index = 0;
        do
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                var (key, message) = keys[index];
                found[key] = message with { Room = reader.GetString(0), Seq = reader.GetInt64(1) };
            }
            index++;
        }
        while (await reader.NextResultAsync(cancellationToken));
        return found;
    }

    /// <summary>Bumps each room's counters (creating its row), in room order, in one statement; returns where each room stood before this batch.</summary>
    private static async Task<Dictionary<string, (long Seq, long Ev)>> BumpRoomsAsync(NpgsqlConnection connection,
        SortedDictionary<string, (long Messages, long Events)> needs, CancellationToken cancellationToken)
    {
        var before = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        if (needs.Count == 0)
        {
            return before;
        }
        // The rows are inserted (or their conflicts updated) in the order of the arrays: room order.
        await using var bump = new NpgsqlCommand("""
            INSERT INTO rooms (room, last_seq, last_event)
            SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])
            ON CONFLICT (room) DO UPDATE SET last_seq = rooms.last_seq + excluded.last_seq, last_event = rooms.last_event + excluded.last_event
            RETURNING room, last_seq, last_event;
            """, connection);
        bump.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. needs.Keys] });
        bump.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. needs.Values.Select(n => n.Messages)] });
        bump.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. needs.Values.Select(n => n.Events)] });
        await using var reader = await bump.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var room = reader.GetString(0);
            var (messages, events) = needs[room];
            before[room] = (reader.GetInt64(1) - messages, reader.GetInt64(2) - events);
        }
        return before;
    }

    /// <summary>
    /// What makes a message a resend of another: the same sender (name key), the same client id,
    /// and the same text (its SHA-256). The text is part of it so that clients that number their
    /// ids per connection ("1", "2", ...) never see a new message taken for an old one.
    /// </summary>
    private static (string Sender, string Id, string Digest) IdempotencyKey(MsgFrame message, FrameId id) =>
        (Names.NickKey(message.From), id.RawJson,
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(message.Text)))[..32]);

    private static NpgsqlBatchCommand PostedCommand((string Sender, string Id, string Digest) key, MsgFrame stored, DateTimeOffset windowStart)
    {
        var cmd = new NpgsqlBatchCommand("""
            INSERT INTO posted (sender_key, client_id, digest, room, seq, ts_ms) VALUES ($1, $2, $7, $3, $4, $5)
            ON CONFLICT (sender_key, client_id, digest) DO UPDATE SET room = excluded.room, seq = excluded.seq, ts_ms = excluded.ts_ms
            WHERE posted.ts_ms < $6;
            """);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Sender });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Id });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stored.Room });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = stored.Seq });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = stored.Ts.ToUnixTimeMilliseconds() });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = windowStart.ToUnixTimeMilliseconds() });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Digest });
        return cmd;
    }

    /// <summary>The presence table's side of an event: who is in which room on this node.</summary>
    private NpgsqlBatchCommand PresenceCommand(RoomEvent change)
    {
        var cmd = new NpgsqlBatchCommand(change.Kind switch
        {
            RoomEvent.Joined => "INSERT INTO members (node_id, room, name_key, name) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING;",
            RoomEvent.Left => "DELETE FROM members WHERE node_id = $1 AND room = $2 AND name_key = $3;",
            _ => "UPDATE members SET name = $4, name_key = $5 WHERE node_id = $1 AND room = $2 AND name_key = $3;",
        });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = NodeId });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = change.Room });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Names.NickKey(change.Name) });
        if (change.Kind == RoomEvent.Joined)
        {
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = change.Name });
        }
        else if (change.Kind == RoomEvent.Nick)
        {
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = change.Other! });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Names.NickKey(change.Other!) });
        }
        return cmd;
    }

    private async Task CopyMessagesAsync(NpgsqlConnection connection, List<MsgFrame> messages, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY messages (room, seq, ts_ms, sender, text, kind, node_id) FROM STDIN (FORMAT BINARY);", cancellationToken);
        foreach (var message in messages)
        {
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(message.Room, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(message.Seq, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(message.Ts.ToUnixTimeMilliseconds(), NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(message.From, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(message.Text, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(message.Action ? "action" : "say", NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(NodeId, NpgsqlDbType.Bigint, cancellationToken);
        }
        await copy.CompleteAsync(cancellationToken);
    }
}
