using Microsoft.Data.Sqlite;
using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;

namespace Sockchat.Tests.Server;

/// <summary>
/// The store's write path: statements prepared once and reused for every batch, text bound as
/// UTF-8 from a reused buffer, one transaction per batch that a failure rolls back, and the
/// statements released with the store.
/// </summary>
public sealed class HistoryAppendTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private string DbPath(string name = "history.db") => Path.Combine(_data.Path, name);

    private static SqliteHistoryStore Open(string path) => SqliteHistoryStore.Open(new HistoryOptions { Path = path });

    private static MsgFrame Msg(string room, long seq, string? text = null, string from = "alice", bool action = false) =>
        new(room, seq, T0.AddSeconds(seq), from, text ?? $"{room} {seq}", action);

    private static async Task<List<MsgFrame>> QueryAllAsync(SqliteHistoryStore store, string room)
    {
        using var timeout = new CancellationTokenSource(LineConnection.DefaultWait);
        return await store.QueryAsync(room, before: null, after: null, int.MaxValue, long.MaxValue, timeout.Token);
    }

    [Fact(Timeout = 15000)]
    public async Task Many_batches_through_the_same_statements_keep_every_seq_and_text_intact()
    {
        // Arrange: batches of 1 to 17 messages in three rooms; texts from empty to several KB of
        // multi-byte UTF-8, long and short in turn, so the reused buffer grows and is overwritten.
        await using var store = Open(DbPath());
        var random = new Random(42);
        var rooms = new[] { "general", "dev", "random" };
        var last = rooms.ToDictionary(r => r, _ => 0L);
        var batches = new List<List<MsgFrame>>();
        for (var b = 0; b < 200; b++)
        {
            var batch = new List<MsgFrame>();
            for (var i = 0; i < b % 17 + 1; i++)
            {
                var room = rooms[random.Next(rooms.Length)];
                var text = string.Concat(Enumerable.Repeat("é☕😀x", random.Next(2) == 0 ? random.Next(4) : random.Next(1000)));
                batch.Add(Msg(room, ++last[room], text, from: $"user{random.Next(5)}", action: random.Next(4) == 0));
            }
            batches.Add(batch);
        }

        // Act
        foreach (var batch in batches)
        {
            store.Append(batch);
        }

        // Assert
        foreach (var room in rooms)
        {
            var written = batches.SelectMany(b => b).Where(m => m.Room == room).Select(m => (m.Seq, m.Ts, m.From, m.Text, m.Action));
            var read = (await QueryAllAsync(store, room)).Select(m => (m.Seq, m.Ts, m.From, m.Text, m.Action));
            Assert.Equal(written, read);
        }
        Assert.Equal(last, store.LoadLastSeqs());
    }

    [Fact(Timeout = 15000)]
    public async Task Empty_text_an_embedded_nul_and_a_lone_surrogate_are_stored_as_utf8_text()
    {
        // Arrange
        var path = DbPath();
        await using (var store = Open(path))
        {
            // Act
            store.Append([Msg("general", 1, text: ""), Msg("general", 2, text: "a\0b"), Msg("general", 3, text: "x\ud800y")]);
        }

        // Assert: '' (not NULL), every byte after the NUL, and U+FFFD as Encoding.UTF8 writes it.
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT typeof(text), hex(text) FROM messages ORDER BY seq;";
        using var reader = cmd.ExecuteReader();
        var rows = new List<(string, string)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetString(1)));
        }
        Assert.Equal([("text", ""), ("text", "610062"), ("text", "78EFBFBD79")], rows);
    }

    [Fact(Timeout = 15000)]
    public async Task A_batch_that_fails_stores_none_of_its_messages_and_the_store_goes_on()
    {
        // Arrange
        await using var store = Open(DbPath());
        store.Append([Msg("general", 1)]);

        // Act: the last row repeats general/1, after the first two rows of its batch went in.
        var ex = Assert.Throws<SqliteException>(() => store.Append([Msg("general", 2, "lost"), Msg("dev", 1), Msg("general", 1, "duplicate")]));
        store.Append([Msg("general", 2, "after the failure")]);

        // Assert
        Assert.Equal(19, ex.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Equal(["general 1", "after the failure"], (await QueryAllAsync(store, "general")).Select(m => m.Text));
        Assert.Empty(await QueryAllAsync(store, "dev"));
        Assert.Equal(new Dictionary<string, long> { ["general"] = 2 }, store.LoadLastSeqs());
        // No transaction was left open: retention can begin its own.
        Assert.Equal(1, store.Trim(maxPerRoom: 1, maxAge: null, T0));
    }

    [Fact(Timeout = 15000)]
    public async Task Disposing_the_store_releases_its_statements_so_the_file_is_closed_and_can_be_reopened()
    {
        // Arrange
        var path = DbPath();
        var store = Open(path);
        store.Append([Msg("general", 1), Msg("general", 2)]);

        // Act
        await store.DisposeAsync();

        // Assert: SQLite removes the WAL only when the last connection really closes (a statement
        // left alive would keep it open), and the file moves and reopens with everything in it.
        Assert.False(File.Exists(path + "-wal"), "the WAL is still there: the connection was not closed");
        var moved = DbPath("moved.db");
        File.Move(path, moved);
        await using var reopened = Open(moved);
        Assert.Equal(new Dictionary<string, long> { ["general"] = 2 }, reopened.LoadLastSeqs());
        Assert.Equal([1L, 2L], (await QueryAllAsync(reopened, "general")).Select(m => m.Seq));
    }
}
