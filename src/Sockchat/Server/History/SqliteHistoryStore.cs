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
/// <para>
/// One server per file: an exclusive lock on <c>FILE.lock</c> beside it is taken before SQLite
/// opens the file and held until dispose, so a second server on the same file refuses to start
/// (SQLite's own exclusive locking mode would also lock out the reader connections). The lock
/// file is left in place: deleting it would let a third server lock a fresh one while the
/// second still holds the old.
/// </para>
/// </summary>
public sealed class SqliteHistoryStore : IHistoryReader, IAsyncDisposable
{
    public const int SchemaVersion = 1;

    private readonly string _connectionString;
    private readonly string? _temporaryFile;
    private readonly SqliteConnection _writer;
    private readonly BatchAppender _appender;
    private readonly FileStream? _lock;

    /// <summary>
    /// Reads that run at once. Each reader connection keeps its own page cache (up to about 2 MB), and
    /// the pool keeps as many connections as ever ran together: so however many clients replay at
    /// once, they take turns on a few connections (each read is one short page).
    /// </summary>
    private const int MaxConcurrentReads = 4;
    private readonly SemaphoreSlim _reads = new(MaxConcurrentReads, MaxConcurrentReads);

    private SqliteHistoryStore(string connectionString, string? temporaryFile, SqliteConnection writer, FileStream? fileLock)
    {
        _connectionString = connectionString;
        _temporaryFile = temporaryFile;
        _writer = writer;
        _appender = new BatchAppender(writer);
        _lock = fileLock;
    }

    public string Description { get; private init; } = "";

    /// <summary>Opens (creating or migrating) the store.</summary>
    /// <exception cref="HistoryException">the file is corrupt, unwritable, from a newer sockchat, or in use by another server</exception>
    public static SqliteHistoryStore Open(HistoryOptions options)
    {
        var inMemory = options.IsInMemory;
        var path = inMemory ? System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"sockchat-{Guid.NewGuid():N}.db") : System.IO.Path.GetFullPath(options.Path);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();
        SqliteConnection? writer = null;
        FileStream? fileLock = null;
        try
        {
            if (!inMemory)
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
                // A throwaway :memory: file has a unique name: nobody else can be using it.
                fileLock = LockFile(path);
            }
            writer = new SqliteConnection(connectionString);
            writer.Open();
            // Refuse a newer file before anything (even the journal mode) writes to it.
            RefuseNewer(writer, path);
            Execute(writer, "PRAGMA journal_mode=WAL;");
            Execute(writer, inMemory ? "PRAGMA synchronous=OFF;" : "PRAGMA synchronous=FULL;");
            Migrate(writer, path);
            return new SqliteHistoryStore(connectionString, inMemory ? path : null, writer, fileLock)
            {
                Description = inMemory ? "in memory (lost at exit)" : path,
            };
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            Close(writer);
            fileLock?.Dispose();
            throw new HistoryException($"cannot use history file {path}: {Explain(ex)}", ex);
        }
        catch
        {
            Close(writer);
            fileLock?.Dispose();
            throw;
        }
    }

    /// <summary>Takes the exclusive lock on <c>path.lock</c> (an advisory lock, which the OS drops when the process dies).</summary>
    /// <exception cref="HistoryException">another server holds it</exception>
    private static FileStream LockFile(string path)
    {
        var lockPath = path + ".lock";
        try
        {
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new HistoryException(
                $"history file {path} is in use by another sockchat server (it holds {lockPath}); stop that server, or give this one its own --history-db", ex);
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
    public int Trim(int maxPerRoom, TimeSpan? maxAge, DateTimeOffset now, int maxTotal = 0)
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
        if (maxTotal > 0)
        {
            // The oldest first, whatever their room, until at most maxTotal are left.
            removed += Execute(_writer, """
                DELETE FROM messages WHERE (room, seq) IN (
                    SELECT room, seq FROM messages ORDER BY ts, room, seq
                    LIMIT max(0, (SELECT count(*) FROM messages) - $max));
                """, tx, ("$max", maxTotal));
        }
        tx.Commit();
        return removed;
    }

    /// <summary>
    /// Messages of a room, oldest first: the first <paramref name="limit"/> after <paramref name="after"/>,
    /// or else the last <paramref name="limit"/> before <paramref name="before"/> (or the newest), never past <paramref name="upTo"/>
    /// nor older than <paramref name="notBefore"/>. Reading stops once the messages add up to <paramref name="maxBytes"/>
    /// (see <see cref="ReplayLimits.Cost"/>; at least one is returned), so a page is bounded in memory however long its messages are.
    /// </summary>
    public async Task<List<MsgFrame>> QueryAsync(string room, long? before, long? after, int limit, long upTo, CancellationToken cancellationToken,
        long maxBytes = long.MaxValue, DateTimeOffset? notBefore = null)
    {
        await _reads.WaitAsync(cancellationToken);
        try
        {
            return await ReadPageAsync(room, before, after, limit, upTo, maxBytes, notBefore, cancellationToken);
        }
        finally
        {
            _reads.Release();
        }
    }

    private async Task<List<MsgFrame>> ReadPageAsync(string room, long? before, long? after, int limit, long upTo, long maxBytes, DateTimeOffset? notBefore,
        CancellationToken cancellationToken)
    {
        await using var db = new SqliteConnection(_connectionString);
        await db.OpenAsync(cancellationToken);
        await using var cmd = db.CreateCommand();
        cmd.CommandText = after is not null
            ? "SELECT seq, ts, sender, text, kind FROM messages WHERE room = $room AND seq > $after AND seq <= $upTo AND ts >= $notBefore ORDER BY seq ASC LIMIT $limit;"
            : "SELECT seq, ts, sender, text, kind FROM messages WHERE room = $room AND seq < $before AND seq <= $upTo AND ts >= $notBefore ORDER BY seq DESC LIMIT $limit;";
        cmd.Parameters.AddWithValue("$room", room);
        cmd.Parameters.AddWithValue("$after", after ?? 0);
        cmd.Parameters.AddWithValue("$before", before ?? long.MaxValue);
        cmd.Parameters.AddWithValue("$upTo", upTo);
        cmd.Parameters.AddWithValue("$limit", limit);
        cmd.Parameters.AddWithValue("$notBefore", notBefore?.ToUnixTimeMilliseconds() ?? long.MinValue);
        var messages = new List<MsgFrame>();
        long bytes = 0;
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (bytes < maxBytes && await reader.ReadAsync(cancellationToken))
        {
            var message = new MsgFrame(room, reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                reader.GetString(2), reader.GetString(3), reader.GetString(4) == "action", History: true);
            messages.Add(message);
            bytes += ReplayLimits.Cost(message);
        }
        if (after is null)
        {
            messages.Reverse();
        }
        return messages;
    }

    /// <summary>
    /// Where the last <paramref name="count"/> kept messages of a room (up to <paramref name="upTo"/>, none older than
    /// <paramref name="notBefore"/>) begin: the seq just before the first of them, and how many there are. Reads no text.
    /// </summary>
    public async Task<(long After, int Count)> StartOfLastAsync(string room, int count, long upTo, DateTimeOffset? notBefore, CancellationToken cancellationToken)
    {
        await _reads.WaitAsync(cancellationToken);
        try
        {
            return await FindStartOfLastAsync(room, count, upTo, notBefore, cancellationToken);
        }
        finally
        {
            _reads.Release();
        }
    }

    private async Task<(long After, int Count)> FindStartOfLastAsync(string room, int count, long upTo, DateTimeOffset? notBefore, CancellationToken cancellationToken)
    {
        await using var db = new SqliteConnection(_connectionString);
        await db.OpenAsync(cancellationToken);
        await using var cmd = db.CreateCommand();
        cmd.CommandText = """
            SELECT count(*), min(seq) FROM (
                SELECT seq FROM messages WHERE room = $room AND seq <= $upTo AND ts >= $notBefore ORDER BY seq DESC LIMIT $count);
            """;
        cmd.Parameters.AddWithValue("$room", room);
        cmd.Parameters.AddWithValue("$upTo", upTo);
        cmd.Parameters.AddWithValue("$count", count);
        cmd.Parameters.AddWithValue("$notBefore", notBefore?.ToUnixTimeMilliseconds() ?? long.MinValue);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var found = reader.GetInt32(0);
        return found == 0 ? (upTo, 0) : (reader.GetInt64(1) - 1, found);
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
        _lock?.Dispose();
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
