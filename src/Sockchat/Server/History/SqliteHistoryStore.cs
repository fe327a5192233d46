using Microsoft.Data.Sqlite;
using Sockchat.Protocol;

namespace Sockchat.Server;

/// <summary>
/// Messages on disk in one SQLite file (WAL mode). The server creates and migrates the schema
/// itself and refuses a file written by a newer version. Writes come only from
/// <see cref="HistoryWriter"/>'s loop through one connection, a batch per transaction (group
/// commit: one disk sync for a burst of messages, through statements prepared once, see
/// <see cref="BatchAppender"/>); reads open their own pooled connections,
/// which WAL lets run beside the writer. <c>:memory:</c> uses a temporary file with syncing
/// off, deleted on dispose, so both modes share one code path.
/// </summary>
public sealed class SqliteHistoryStore : IAsyncDisposable
{
    public const int SchemaVersion = 1;

    private readonly string _connectionString;
    private readonly string? _temporaryFile;
    private readonly SqliteConnection _writer;
    private readonly BatchAppender _appender;

    private SqliteHistoryStore(string connectionString, string? temporaryFile, SqliteConnection writer)
    {
        _connectionString = connectionString;
        _temporaryFile = temporaryFile;
        _writer = writer;
        _appender = new BatchAppender(writer);
    }

    public string Description { get; private init; } = "";

    /// <summary>Opens (creating or migrating) the store.</summary>
    /// <exception cref="HistoryException">the file is corrupt, unwritable, or from a newer sockchat</exception>
    public static SqliteHistoryStore Open(HistoryOptions options)
    {
        var inMemory = options.IsInMemory;
        var path = inMemory ? System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"sockchat-{Guid.NewGuid():N}.db") : System.IO.Path.GetFullPath(options.Path);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();
        SqliteConnection? writer = null;
        try
        {
            if (!inMemory)
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            }
            writer = new SqliteConnection(connectionString);
            writer.Open();
            // Refuse a newer file before anything (even the journal mode) writes to it.
            RefuseNewer(writer, path);
            Execute(writer, "PRAGMA journal_mode=WAL;");
            Execute(writer, inMemory ? "PRAGMA synchronous=OFF;" : "PRAGMA synchronous=FULL;");
            Migrate(writer, path);
            return new SqliteHistoryStore(connectionString, inMemory ? path : null, writer)
            {
                Description = inMemory ? "in memory (lost at exit)" : path,
            };
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            Close(writer);
            throw new HistoryException($"cannot use history file {path}: {Explain(ex)}", ex);
        }
        catch
        {
            Close(writer);
            throw;
        }
    }

    /// <summary>Closes a connection that failed to open properly, leaving no pooled handle (nor WAL files) behind.</summary>
    private static void Close(SqliteConnection? connection)
    {
        if (connection is not null)
        {
            SqliteConnection.ClearPool(connection);
            connection.Dispose();
        }
    }

    private static void RefuseNewer(SqliteConnection db, string path)
    {
        var version = Convert.ToInt32(Scalar(db, "PRAGMA user_version;"));
        if (version > SchemaVersion)
        {
            throw new HistoryException($"history file {path} was written by a newer sockchat (schema {version}; this version knows {SchemaVersion}); it was left untouched");
        }
    }

    private static string Explain(Exception ex) => ex switch
    {
        SqliteException { SqliteErrorCode: 26 } => "it is not a sockchat history database (corrupt or another kind of file)",
        SqliteException { SqliteErrorCode: 11 } => "the database file is corrupt",
        SqliteException { SqliteErrorCode: 14 } => "it cannot be opened (does the folder exist and is it writable?)",
        SqliteException { SqliteErrorCode: 8 } => "it is read-only",
        SqliteException { SqliteErrorCode: 5 } => "it is locked by another process (is another server using it?)",
        SqliteException e => e.Message,
        _ => ex.Message,
    };

    private static void Migrate(SqliteConnection db, string path)
    {
        var version = Convert.ToInt32(Scalar(db, "PRAGMA user_version;"));
        if (version > SchemaVersion)
        {
            throw new HistoryException($"history file {path} was written by a newer sockchat (schema {version}; this version knows {SchemaVersion}); it was left untouched");
        }
        if (version == SchemaVersion)
        {
            // Reading the schema proves the file is a database we can use (and fails early if it is corrupt).
            Scalar(db, "SELECT count(*) FROM room_seq;");
            return;
        }
        using var tx = db.BeginTransaction();
        Execute(db, """
            CREATE TABLE IF NOT EXISTS messages (
                room   TEXT    NOT NULL,
                seq    INTEGER NOT NULL,
                ts     INTEGER NOT NULL,
                sender TEXT    NOT NULL,
                text   TEXT    NOT NULL,
                kind   TEXT    NOT NULL,
                PRIMARY KEY (room, seq)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS messages_ts ON messages (ts);
            CREATE TABLE IF NOT EXISTS room_seq (
                room     TEXT    NOT NULL PRIMARY KEY,
                last_seq INTEGER NOT NULL
            ) WITHOUT ROWID;
            PRAGMA user_version = 1;
            """, tx);
        tx.Commit();
    }

    /// <summary>The last seq ever given in each room (kept even when retention removed the messages, so no seq is reused).</summary>
    public Dictionary<string, long> LoadLastSeqs()
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        using var cmd = _writer.CreateCommand();
        cmd.CommandText = "SELECT room, last_seq FROM room_seq;";
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            result[reader.GetString(0)] = reader.GetInt64(1);
        }
        return result;
    }

    /// <summary>Stores a batch in one transaction; durable when this returns. Called only from the writer loop.</summary>
    /// <exception cref="SqliteException">nothing of the batch was stored</exception>
    public void Append(IReadOnlyList<MsgFrame> batch) => _appender.Append(batch);

    /// <summary>Applies retention; returns how many messages were removed. Called only from the writer loop.</summary>
    public int Trim(int maxPerRoom, TimeSpan? maxAge, DateTimeOffset now)
    {
        var removed = 0;
        using var tx = _writer.BeginTransaction();
        if (maxAge is { } age)
        {
            removed += Execute(_writer, "DELETE FROM messages WHERE ts < $cutoff;", tx, ("$cutoff", (now - age).ToUnixTimeMilliseconds()));
        }
        if (maxPerRoom > 0)
        {
            removed += Execute(_writer, """
                DELETE FROM messages WHERE EXISTS (
                    SELECT 1 FROM room_seq r WHERE r.room = messages.room AND messages.seq <= r.last_seq - $keep);
                """, tx, ("$keep", maxPerRoom));
        }
        tx.Commit();
        return removed;
    }

    /// <summary>
    /// Messages of a room, oldest first: the first <paramref name="limit"/> after <paramref name="after"/>,
    /// or else the last <paramref name="limit"/> before <paramref name="before"/> (or the newest), never past <paramref name="upTo"/>.
    /// </summary>
    public async Task<List<MsgFrame>> QueryAsync(string room, long? before, long? after, int limit, long upTo, CancellationToken cancellationToken)
    {
        await using var db = new SqliteConnection(_connectionString);
        await db.OpenAsync(cancellationToken);
        await using var cmd = db.CreateCommand();
        cmd.CommandText = after is not null
            ? "SELECT seq, ts, sender, text, kind FROM messages WHERE room = $room AND seq > $after AND seq <= $upTo ORDER BY seq ASC LIMIT $limit;"
            : "SELECT seq, ts, sender, text, kind FROM messages WHERE room = $room AND seq < $before AND seq <= $upTo ORDER BY seq DESC LIMIT $limit;";
        cmd.Parameters.AddWithValue("$room", room);
        cmd.Parameters.AddWithValue("$after", after ?? 0);
        cmd.Parameters.AddWithValue("$before", before ?? long.MaxValue);
        cmd.Parameters.AddWithValue("$upTo", upTo);
        cmd.Parameters.AddWithValue("$limit", limit);
        var messages = new List<MsgFrame>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            messages.Add(new MsgFrame(room, reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                reader.GetString(2), reader.GetString(3), reader.GetString(4) == "action", History: true));
        }
        if (after is null)
        {
            messages.Reverse();
        }
        return messages;
    }

    private static int Execute(SqliteConnection db, string sql, SqliteTransaction? tx = null, params (string Name, object Value)[] parameters)
    {
        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        return cmd.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    public ValueTask DisposeAsync()
    {
        // The prepared statements first: a connection closed with statements alive stays open as a zombie.
        _appender.Dispose();
        _writer.Dispose();
        SqliteConnection.ClearAllPools();
        if (_temporaryFile is not null)
        {
            foreach (var file in new[] { _temporaryFile, _temporaryFile + "-wal", _temporaryFile + "-shm" })
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException)
                {
                }
            }
        }
        return ValueTask.CompletedTask;
    }
}
