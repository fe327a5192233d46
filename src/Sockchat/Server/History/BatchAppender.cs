using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Sockchat.Protocol;
using static SQLitePCL.raw;

namespace Sockchat.Server;

/// <summary>
/// The store's write path, one level below Microsoft.Data.Sqlite: the statements a batch needs
/// (BEGIN IMMEDIATE, the insert, the room_seq upsert, COMMIT, ROLLBACK) are prepared once on the
/// writer connection and reused, and a row is six binds, a step and a reset; text is bound as
/// UTF-8 from one reused buffer. (Through SqliteCommand every row cost a data reader, boxed
/// parameters, a statement enumerator and a fresh UTF-8 array per string.) Like
/// Microsoft.Data.Sqlite it retries while the database is busy, up to the connection's default
/// timeout; every other failure rolls the batch back and surfaces as a <see cref="SqliteException"/>.
/// Used only from the writer loop; disposed (statements finalized) before the connection closes.
/// </summary>
internal sealed class BatchAppender : IDisposable
{
    // SQLITE_PREPARE_PERSISTENT: the statements live as long as the store.
    private const uint Persistent = 0x01;

    private const int RoomParam = 1, SeqParam = 2, TsParam = 3, SenderParam = 4, TextParam = 5, KindParam = 6;

    private readonly sqlite3 _db;
    private readonly int _busyTimeoutSeconds;
    private readonly List<sqlite3_stmt> _prepared = [];
    private readonly sqlite3_stmt _begin, _insert, _upsert, _commit, _rollback;
    private readonly Dictionary<string, long> _lastSeqs = new(StringComparer.Ordinal);
    private byte[] _utf8 = new byte[1024];

    public BatchAppender(SqliteConnection writer)
    {
        _db = writer.Handle ?? throw new InvalidOperationException("the writer connection is not open");
        _busyTimeoutSeconds = writer.DefaultTimeout;
        try
        {
            // Microsoft.Data.Sqlite's BeginTransaction() is BEGIN IMMEDIATE too: the write lock up front.
            _begin = Prepare("BEGIN IMMEDIATE;");
            _insert = Prepare("INSERT INTO messages (room, seq, ts, sender, text, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6);");
            _upsert = Prepare("INSERT INTO room_seq (room, last_seq) VALUES (?1, ?2) ON CONFLICT(room) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq);");
            _commit = Prepare("COMMIT;");
            _rollback = Prepare("ROLLBACK;");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private sqlite3_stmt Prepare(string sql)
    {
        var rc = sqlite3_prepare_v3(_db, sql, Persistent, out var stmt);
        if (rc == SQLITE_OK && stmt is not null)
        {
            _prepared.Add(stmt);
            return stmt;
        }
        stmt?.Dispose();
        SqliteException.ThrowExceptionForRC(rc, _db);
        throw new InvalidOperationException($"SQLite prepared no statement for: {sql}");
    }

    /// <summary>Stores the batch in one transaction; durable (as the connection's synchronous mode makes it) when this returns.</summary>
    /// <exception cref="SqliteException">nothing of the batch was stored</exception>
    public void Append(IReadOnlyList<MsgFrame> batch)
    {
        Execute(_begin);
        try
        {
            _lastSeqs.Clear();
            for (var i = 0; i < batch.Count; i++)
            {
                var message = batch[i];
                BindText(_insert, RoomParam, message.Room);
                Check(sqlite3_bind_int64(_insert, SeqParam, message.Seq));
                Check(sqlite3_bind_int64(_insert, TsParam, message.Ts.ToUnixTimeMilliseconds()));
                BindText(_insert, SenderParam, message.From);
                BindText(_insert, TextParam, message.Text);
                Check(sqlite3_bind_text(_insert, KindParam, message.Action ? "action"u8 : "say"u8));
                Execute(_insert);
                _lastSeqs[message.Room] = message.Seq;
            }
            foreach (var (room, last) in _lastSeqs)
            {
                BindText(_upsert, RoomParam, room);
                Check(sqlite3_bind_int64(_upsert, SeqParam, last));
                Execute(_upsert);
            }
            Execute(_commit);
        }
        catch
        {
            RollBack();
            throw;
        }
    }

    /// <summary>Ends the transaction a failed batch left open (SQLite may have rolled it back itself already).</summary>
    private void RollBack()
    {
        if (sqlite3_get_autocommit(_db) == 0)
        {
            // A failure here would only hide the one being reported; the next BEGIN reports it anyway.
            sqlite3_step(_rollback);
            sqlite3_reset(_rollback);
        }
    }

    /// <summary>Binds text as Encoding.UTF8 writes it, as SqliteParameter did (lone surrogates become U+FFFD, NULs are kept).</summary>
    private void BindText(sqlite3_stmt stmt, int index, string value)
    {
        var most = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (most > _utf8.Length)
        {
            _utf8 = new byte[Math.Max(most, _utf8.Length * 2)];
        }
        var length = Encoding.UTF8.GetBytes(value, _utf8);
        Check(sqlite3_bind_text(stmt, index, _utf8.AsSpan(0, length)));
    }

    /// <summary>Runs a statement that returns no rows and resets it for the next use.</summary>
    private void Execute(sqlite3_stmt stmt)
    {
        try
        {
            var rc = sqlite3_step(stmt);
            if (IsBusy(rc))
            {
                rc = RetryWhileBusy(stmt, rc);
            }
            if (rc != SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }
        }
        finally
        {
            sqlite3_reset(stmt);
        }
    }

    /// <summary>What SqliteCommand does on SQLITE_BUSY/LOCKED: retry every 150 ms until the timeout (0: forever).</summary>
    private int RetryWhileBusy(sqlite3_stmt stmt, int rc)
    {
        var started = Stopwatch.GetTimestamp();
        while (IsBusy(rc) && (_busyTimeoutSeconds == 0 || Stopwatch.GetElapsedTime(started).TotalSeconds < _busyTimeoutSeconds))
        {
            sqlite3_reset(stmt);
            Thread.Sleep(150);
            rc = sqlite3_step(stmt);
        }
        return rc;
    }

    private static bool IsBusy(int rc) => rc is SQLITE_BUSY or SQLITE_LOCKED or SQLITE_LOCKED_SHAREDCACHE;

    private void Check(int rc)
    {
        if (rc != SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }

    public void Dispose()
    {
        foreach (var stmt in _prepared)
        {
            stmt.Dispose();
        }
        _prepared.Clear();
    }
}
