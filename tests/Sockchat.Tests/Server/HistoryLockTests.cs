using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;

namespace Sockchat.Tests.Server;

/// <summary>
/// One server per history file (issue 9): a second store on a file in use is refused at open,
/// naming the file; throwaway <c>:memory:</c> stores never collide; and retention can bound all
/// rooms together.
/// </summary>
public sealed class HistoryLockTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private string DbPath() => Path.Combine(_data.Path, "history.db");

    private static SqliteHistoryStore Open(string path) => SqliteHistoryStore.Open(new HistoryOptions { Path = path });

    [Fact]
    public async Task A_second_store_on_a_file_in_use_is_refused_naming_the_file_and_opens_once_the_first_is_closed()
    {
        // Arrange
        var path = DbPath();
        var first = Open(path);

        // Act
        var refused = Assert.Throws<HistoryException>(() => Open(path));
        await first.DisposeAsync();
        await using var again = Open(path);

        // Assert
        Assert.Contains("in use by another sockchat server", refused.Message);
        Assert.Contains(path, refused.Message);
        Assert.Empty(again.LoadLastSeqs());
    }

    [Fact]
    public async Task The_refused_store_leaves_the_first_working()
    {
        // Arrange
        var path = DbPath();
        await using var first = Open(path);
        Assert.Throws<HistoryException>(() => Open(path));

        // Act
        first.Append([new MsgFrame("general", 1, DateTimeOffset.UtcNow, "alice", "still here")]);

        // Assert
        Assert.Equal(1, first.LoadLastSeqs()["general"]);
    }

    [Fact]
    public async Task In_memory_stores_never_collide()
    {
        // Act
        await using var first = Open(HistoryOptions.InMemory);
        await using var second = Open(HistoryOptions.InMemory);

        // Assert
        Assert.NotNull(second);
    }

    [Fact]
    public async Task Retention_over_all_rooms_keeps_the_newest_whatever_their_room()
    {
        // Arrange: 10 messages in each of three rooms, interleaved in time.
        await using var store = Open(DbPath());
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        string[] rooms = ["a", "b", "c"];
        store.Append([.. Enumerable.Range(1, 10).SelectMany(seq => rooms.Select((room, r) =>
            new MsgFrame(room, seq, t0.AddSeconds(seq * 3 + r), "x", $"{room}{seq}")))]);

        // Act
        var removed = store.Trim(maxPerRoom: 0, maxAge: null, now: t0.AddDays(1), maxTotal: 12);

        // Assert: the newest 12 overall are seqs 7-10 of every room.
        Assert.Equal(18, removed);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        foreach (var room in rooms)
        {
            var kept = await store.QueryAsync(room, null, 0, 100, long.MaxValue, timeout.Token);
            Assert.Equal([7L, 8L, 9L, 10L], kept.Select(m => m.Seq));
        }
    }
}
