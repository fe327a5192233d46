using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Server;

/// <summary>
/// Durable history ("nothing lost"): <see cref="SqliteHistoryStore"/> on its own (schema, append,
/// paging, refusing files it must not touch), and through a server (seq across restarts, ack
/// only once the message is in the file).
/// </summary>
public sealed class HistoryStoreTests(ITestOutputHelper output) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private string DbPath(string name = "history.db") => Path.Combine(_data.Path, name);

    private static SqliteHistoryStore Open(string path) => SqliteHistoryStore.Open(new HistoryOptions { Path = path });

    private static MsgFrame Msg(string room, long seq, DateTimeOffset? ts = null, string from = "alice", string? text = null, bool action = false) =>
        new(room, seq, ts ?? T0.AddSeconds(seq), from, text ?? $"{room} {seq}", action);

    private static List<MsgFrame> Range(string room, long first, long last) =>
        [.. Enumerable.Range((int)first, (int)(last - first + 1)).Select(i => Msg(room, i))];

    private static async Task<List<MsgFrame>> QueryAsync(SqliteHistoryStore store, string room, long? before = null, long? after = null, int limit = 100, long upTo = long.MaxValue)
    {
        using var timeout = new CancellationTokenSource(LineConnection.DefaultWait);
        return await store.QueryAsync(room, before, after, limit, upTo, timeout.Token);
    }

    /// <summary>A connection of the test's own, never pooled, so it holds nothing open after it is disposed.</summary>
    private static SqliteConnection OpenPlain(string path, SqliteOpenMode mode)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        db.Open();
        return db;
    }

    private static object? Scalar(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    private static byte[] Hash(string path) => SHA256.HashData(File.ReadAllBytes(path));

    // --- the store on its own ---

    [Fact(Timeout = 15000)]
    public async Task Opening_a_new_path_creates_its_folder_and_a_version_1_schema_in_wal_mode()
    {
        // Arrange
        var path = Path.Combine(_data.Path, "not", "yet", "there", "history.db");

        // Act
        var store = Open(path);
        await store.DisposeAsync();

        // Assert
        Assert.True(File.Exists(path));
        using var db = OpenPlain(path, SqliteOpenMode.ReadOnly);
        Assert.Equal(1L, Scalar(db, "PRAGMA user_version;"));
        Assert.Equal("wal", Scalar(db, "PRAGMA journal_mode;"));
        Assert.Equal(2L, Scalar(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('messages', 'room_seq');"));
    }

    [Fact(Timeout = 15000)]
    public async Task Appended_messages_come_back_oldest_first_with_every_field_and_the_time_to_the_millisecond()
    {
        // Arrange
        await using var store = Open(DbPath());
        var ts = new DateTimeOffset(2024, 5, 1, 12, 34, 56, 789, TimeSpan.FromHours(2)).AddTicks(4321); // 0.4321 ms past .789
        var written = new List<MsgFrame>
        {
            new("dev", 1, ts, "alice", "hello", Action: false),
            new("dev", 2, ts.AddMilliseconds(1), "bob", "waves", Action: true),
            new("general", 1, ts, "carol", "elsewhere"),
            new("dev", 3, ts.AddSeconds(1), "alice", "naïve ☕ \"quoted\"\nsecond line"),
        };

        // Act
        store.Append(written);
        var read = await QueryAsync(store, "dev");

        // Assert
        Assert.Equal([1L, 2L, 3L], read.Select(m => m.Seq));
        Assert.All(read, m => Assert.Equal("dev", m.Room));
        Assert.All(read, m => Assert.True(m.History));
        Assert.Equal(["alice", "bob", "alice"], read.Select(m => m.From));
        Assert.Equal(["hello", "waves", "naïve ☕ \"quoted\"\nsecond line"], read.Select(m => m.Text));
        Assert.Equal([false, true, false], read.Select(m => m.Action));
        var msPrecision = DateTimeOffset.FromUnixTimeMilliseconds(ts.ToUnixTimeMilliseconds());
        Assert.Equal([msPrecision, msPrecision.AddMilliseconds(1), msPrecision.AddSeconds(1)], read.Select(m => m.Ts));
        Assert.All(read, m => Assert.Equal(0, m.Ts.UtcTicks % TimeSpan.TicksPerMillisecond));
    }

    [Fact(Timeout = 15000)]
    public async Task Paging_backwards_from_the_newest_walks_the_whole_history_without_gap_or_duplicate()
    {
        // Arrange
        await using var store = Open(DbPath());
        store.Append(Range("general", 1, 120));
        store.Append(Range("other", 1, 30));
        var seen = new List<long>();
        var pages = 0;

        // Act
        long? before = null;
        while (true)
        {
            var page = await QueryAsync(store, "general", before: before, limit: 25);
            if (page.Count == 0)
            {
                break;
            }
            Assert.InRange(page.Count, 1, 25);
            Assert.Equal(page.Select(m => m.Seq).Order(), page.Select(m => m.Seq)); // each page oldest first
            seen.InsertRange(0, page.Select(m => m.Seq));
            before = page[0].Seq;
            Assert.True(++pages <= 10, "paging backwards does not end");
        }

        // Assert
        Assert.Equal(5, pages);
        Assert.Equal(Enumerable.Range(1, 120).Select(i => (long)i), seen);
    }

    [Fact(Timeout = 15000)]
    public async Task Paging_forwards_with_after_walks_the_whole_history_without_gap_or_duplicate()
    {
        // Arrange
        await using var store = Open(DbPath());
        store.Append(Range("general", 1, 120));
        store.Append(Range("other", 1, 30));
        var seen = new List<long>();
        var pages = 0;

        // Act
        long after = 0;
        while (true)
        {
            var page = await QueryAsync(store, "general", after: after, limit: 25);
            if (page.Count == 0)
            {
                break;
            }
            Assert.InRange(page.Count, 1, 25);
            seen.AddRange(page.Select(m => m.Seq));
            after = page[^1].Seq;
            Assert.True(++pages <= 10, "paging forwards does not end");
        }

        // Assert
        Assert.Equal(5, pages);
        Assert.Equal(Enumerable.Range(1, 120).Select(i => (long)i), seen);
    }

    [Fact(Timeout = 15000)]
    public async Task Up_to_bounds_the_result_whichever_way_it_pages()
    {
        // Arrange
        await using var store = Open(DbPath());
        store.Append(Range("general", 1, 10));

        // Act
        var newest = await QueryAsync(store, "general", upTo: 6);
        var newestTwo = await QueryAsync(store, "general", limit: 2, upTo: 6);
        var afterTwo = await QueryAsync(store, "general", after: 2, upTo: 6);
        var beforeNine = await QueryAsync(store, "general", before: 9, limit: 3, upTo: 6);
        var afterSix = await QueryAsync(store, "general", after: 6, upTo: 6);

        // Assert
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], newest.Select(m => m.Seq));
        Assert.Equal([5L, 6L], newestTwo.Select(m => m.Seq));
        Assert.Equal([3L, 4L, 5L, 6L], afterTwo.Select(m => m.Seq));
        Assert.Equal([4L, 5L, 6L], beforeNine.Select(m => m.Seq));
        Assert.Empty(afterSix);
    }

    [Fact(Timeout = 15000)]
    public async Task Last_seqs_are_the_highest_seq_of_each_room_and_survive_reopening()
    {
        // Arrange
        var path = DbPath();
        await using (var store = Open(path))
        {
            store.Append([Msg("dev", 1), Msg("general", 1), Msg("dev", 2)]);
            store.Append([Msg("general", 2), Msg("general", 3), Msg("random", 7)]);
            store.Append([Msg("dev", 3)]);
        }

        // Act
        await using var reopened = Open(path);
        var last = reopened.LoadLastSeqs();

        // Assert
        Assert.Equal(new Dictionary<string, long> { ["dev"] = 3, ["general"] = 3, ["random"] = 7 }, last);
    }

    [Fact(Timeout = 15000)]
    public async Task A_new_store_has_no_rooms_and_no_messages()
    {
        // Arrange
        await using var store = Open(DbPath());

        // Act
        var last = store.LoadLastSeqs();
        var messages = await QueryAsync(store, "general");

        // Assert
        Assert.Empty(last);
        Assert.Empty(messages);
    }

    // --- files it must refuse, and leave as they are ---

    [Fact]
    public void A_file_that_is_not_a_database_is_refused_with_its_path_and_left_unchanged()
    {
        // Arrange
        var path = DbPath("random.db");
        var bytes = new byte[8192];
        new Random(1234).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);

        // Act
        var ex = Assert.Throws<HistoryException>(() => Open(path));

        // Assert
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_file_from_a_newer_schema_is_refused_as_newer_and_its_bytes_are_left_untouched()
    {
        // Arrange
        var path = DbPath("newer.db");
        using (var db = OpenPlain(path, SqliteOpenMode.ReadWriteCreate))
        {
            using var cmd = db.CreateCommand();
            cmd.CommandText = "CREATE TABLE future (x INTEGER); INSERT INTO future VALUES (42); PRAGMA user_version = 99;";
            cmd.ExecuteNonQuery();
        }
        var before = Hash(path);

        // Act
        var ex = Assert.Throws<HistoryException>(() => Open(path));
        // Whatever the store left open is closed now, so any change it made would be in the file.
        SqliteConnection.ClearAllPools();

        // Assert
        Assert.Contains("newer", ex.Message, StringComparison.Ordinal);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Equal(Convert.ToHexString(before), Convert.ToHexString(Hash(path)));
    }

    [Fact]
    public void A_path_whose_folder_cannot_be_created_is_refused()
    {
        // Arrange
        var blocker = _data.Write("file.txt", "a regular file, not a folder");
        var path = Path.Combine(blocker, "h.db");

        // Act
        var ex = Assert.Throws<HistoryException>(() => Open(path));

        // Assert
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Equal("a regular file, not a folder", File.ReadAllText(blocker));
    }

    [Fact(Timeout = 15000)]
    public async Task An_in_memory_store_works_and_leaves_no_file_behind()
    {
        // Arrange
        var marker = "mem" + Guid.NewGuid().ToString("N");
        var existing = TemporaryStoreFiles().ToHashSet();
        var store = SqliteHistoryStore.Open(new HistoryOptions { Path = HistoryOptions.InMemory });
        string ours;
        try
        {
            // Act
            store.Append([Msg(marker, 1, text: marker), Msg(marker, 2, text: marker)]);
            var read = await QueryAsync(store, marker);
            Assert.Equal([1L, 2L], read.Select(m => m.Seq));
            Assert.Equal(2, store.LoadLastSeqs()[marker]);
            // Other tests run in-memory stores at the same time; ours is the new file holding the marker.
            ours = Assert.Single(TemporaryStoreFiles(), f => !existing.Contains(f) && Holds(f, marker));
        }
        finally
        {
            await store.DisposeAsync();
        }

        // Assert
        Assert.False(File.Exists(ours), $"{ours} is still there");
        Assert.False(File.Exists(ours + "-wal"), $"{ours}-wal is still there");
        Assert.False(File.Exists(ours + "-shm"), $"{ours}-shm is still there");
    }

    private static IEnumerable<string> TemporaryStoreFiles() => Directory.EnumerateFiles(Path.GetTempPath(), "sockchat-*.db");

    private static bool Holds(string path, string marker)
    {
        var needle = System.Text.Encoding.UTF8.GetBytes(marker);
        foreach (var file in new[] { path, path + "-wal" })
        {
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                if (copy.GetBuffer().AsSpan(0, (int)copy.Length).IndexOf(needle) >= 0)
                {
                    return true;
                }
            }
            catch (IOException)
            {
                // Gone already (another test's store was disposed): not ours.
            }
        }
        return false;
    }

    // --- through a server ---

    [Fact(Timeout = 15000)]
    public async Task Seq_continues_across_a_restart_and_a_newcomer_is_replayed_everything_as_history()
    {
        // Arrange
        var options = new ServerOptions { History = new HistoryOptions { Path = DbPath() } };
        var firstSeqs = new List<long>();
        await using (var first = await TestServer.StartAsync(options, output))
        {
            await using var alice = await JsonTestClient.JoinAsync(first, "alice");
            for (var i = 1; i <= 3; i++)
            {
                firstSeqs.Add(await alice.SayAndWaitAsync($"m{i}"));
            }
        }

        // Act
        await using var second = await TestServer.StartAsync(options, output);
        await using var bob = await JsonTestClient.JoinAsync(second, "bob");
        var fourth = await bob.SayAndWaitAsync("m4");
        await using var carol = await JsonTestClient.JoinAsync(second, "carol");
        await carol.SyncAsync();

        // Assert
        Assert.Equal([1L, 2L, 3L], firstSeqs);
        Assert.Equal(4, fourth);
        var replayed = carol.Received<MsgFrame>().ToList();
        Assert.Equal([1L, 2L, 3L, 4L], replayed.Select(m => m.Seq));
        Assert.Equal(["m1", "m2", "m3", "m4"], replayed.Select(m => m.Text));
        Assert.Equal(["alice", "alice", "alice", "bob"], replayed.Select(m => m.From));
        Assert.All(replayed, m => Assert.True(m.History));
    }

    [Fact(Timeout = 15000)]
    public async Task A_say_is_acknowledged_only_once_its_row_is_in_the_file()
    {
        // Arrange
        var path = DbPath();
        await using var server = await TestServer.StartAsync(new ServerOptions { History = new HistoryOptions { Path = path } }, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice", room: "dev");
        await alice.SayAndWaitAsync("warm-up");

        // Act
        var seq = await alice.SayAndWaitAsync("on disk before the ack");

        // Assert: a reader of its own, outside the server, finds the row at once.
        using var db = OpenPlain(path, SqliteOpenMode.ReadOnly);
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT sender, text, kind FROM messages WHERE room = $room AND seq = $seq;";
        cmd.Parameters.AddWithValue("$room", "dev");
        cmd.Parameters.AddWithValue("$seq", seq);
        using var reader = cmd.ExecuteReader();
        Assert.True(reader.Read(), $"no row for dev/{seq} in {path} after its ack");
        Assert.Equal(("alice", "on disk before the ack", "say"), (reader.GetString(0), reader.GetString(1), reader.GetString(2)));
    }
}
