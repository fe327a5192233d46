using Npgsql;

namespace Sockchat.Server.Cluster;

/// <summary>
/// The cluster's tables in PostgreSQL, created and migrated by each node as it starts. The
/// migration runs in one transaction under a transaction-scoped advisory lock, so when several
/// nodes start at once one migrates and the others wait, then find the schema current. A
/// database whose schema is newer than this sockchat knows is refused, untouched.
/// </summary>
internal static class ClusterSchema
{
    public const int Version = 2;

    /// <summary>The advisory lock key of the migration ("sockchat" migration, an arbitrary constant).</summary>
    private const long MigrationLock = 0x736F636B_63680001;

    private const string V1 = """
        CREATE TABLE nodes (
            id           bigserial PRIMARY KEY,
            host         text   NOT NULL,
            started_ms   bigint NOT NULL,
            heartbeat_ms bigint NOT NULL);
        CREATE TABLE rooms (
            room       text   PRIMARY KEY,
            last_seq   bigint NOT NULL,
            last_event bigint NOT NULL);
        CREATE TABLE messages (
            room    text   NOT NULL,
            seq     bigint NOT NULL,
            ts_ms   bigint NOT NULL,
            sender  text   NOT NULL,
            text    text   NOT NULL,
            kind    text   NOT NULL,
            node_id bigint NOT NULL,
            PRIMARY KEY (room, seq));
        CREATE INDEX messages_ts ON messages (ts_ms);
        CREATE TABLE posted (
            sender_key text   NOT NULL,
            client_id  text   NOT NULL,
            digest     text   NOT NULL,
            room       text   NOT NULL,
            seq        bigint NOT NULL,
            ts_ms      bigint NOT NULL,
            PRIMARY KEY (sender_key, client_id, digest));
        CREATE TABLE events (
            room      text   NOT NULL,
            ev        bigint NOT NULL,
            after_seq bigint NOT NULL,
            kind      text   NOT NULL,
            name      text   NOT NULL,
            other     text,
            reason    text,
            node_id   bigint NOT NULL,
            ts_ms     bigint NOT NULL,
            PRIMARY KEY (room, ev));
        CREATE TABLE users (
            name_key text   PRIMARY KEY,
            name     text   NOT NULL,
            node_id  bigint NOT NULL);
        CREATE INDEX users_node ON users (node_id);
        CREATE TABLE members (
            node_id  bigint NOT NULL,
            room     text   NOT NULL,
            name_key text   NOT NULL,
            name     text   NOT NULL,
            PRIMARY KEY (node_id, room, name_key));
        CREATE INDEX members_room ON members (room);
        """;

    /// <summary>Version 2: private messages to a node's users, numbered per target node (a gap means one was missed).</summary>
    private const string V2 = """
        CREATE TABLE dm_streams (
            node_id bigint PRIMARY KEY,
            last_n  bigint NOT NULL);
        CREATE TABLE dms (
            node_id bigint NOT NULL,
            n       bigint NOT NULL,
            ts_ms   bigint NOT NULL,
            sender  text   NOT NULL,
            target  text   NOT NULL,
            text    text   NOT NULL,
            PRIMARY KEY (node_id, n));
        CREATE INDEX dms_ts ON dms (ts_ms);
        """;

    /// <summary>Creates or migrates the schema; returns the version found before (0: a fresh database).</summary>
    /// <exception cref="HistoryException">the schema is newer than this sockchat</exception>
    public static async Task<int> MigrateAsync(NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({MigrationLock});", cancellationToken);
        await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL);", cancellationToken);
        await using var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM schema_version;", connection);
        var found = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken));
        if (found > Version)
        {
            throw new HistoryException($"the cluster database has schema {found}, newer than this sockchat knows ({Version}); upgrade this node; the database was left untouched");
        }
        if (found < 1)
        {
            await ExecuteAsync(connection, V1, cancellationToken);
        }
        if (found < 2)
        {
            await ExecuteAsync(connection, V2, cancellationToken);
        }
        if (found < Version)
        {
            await ExecuteAsync(connection, $"DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES ({Version});", cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return found;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
