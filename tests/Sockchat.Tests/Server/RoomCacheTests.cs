using Sockchat.Protocol;
using Sockchat.Server;

namespace Sockchat.Tests.Server;

/// <summary>A room's cache of recent messages: bounded in bytes as well as in messages, and honest about what it covers.</summary>
public sealed class RoomCacheTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static MsgFrame Msg(long seq, int length = 10) => new("general", seq, T0.AddSeconds(seq), "alice", new string('x', length));

    [Fact]
    public void Long_messages_are_cached_only_up_to_the_byte_bound()
    {
        // Arrange
        var room = new Room("general", cacheSize: 1000, cacheBytes: 20 * 1024);

        // Act: 100 messages of about 1 KB.
        for (var seq = 1; seq <= 100; seq++)
        {
            room.Delivered(Msg(seq, 1000));
        }

        // Assert: about 20 kept; the cache no longer covers the start, so a replay from 0 goes to the store.
        var cached = room.StartOfLastCached(1000, null);
        Assert.Null(cached);
        var last = room.StartOfLastCached(10, null);
        Assert.Equal((90L, 10), last);
        Assert.Null(room.CachedPage(0, 100, 1000, long.MaxValue, null));
        var tail = room.CachedPage(95, 100, 1000, long.MaxValue, null);
        Assert.Equal([96L, 97L, 98L, 99L, 100L], tail!.Select(m => m.Seq));
    }

    [Fact]
    public void A_new_room_that_never_evicted_knows_it_holds_everything()
    {
        // Arrange
        var room = new Room("general", cacheSize: 1000);
        room.Delivered(Msg(1));
        room.Delivered(Msg(2));

        // Act
        var start = room.StartOfLastCached(50, null);
        var page = room.CachedPage(0, 2, 256, ReplayLimits.PageBytes, null);

        // Assert
        Assert.Equal((0L, 2), start);
        Assert.Equal([1L, 2L], page!.Select(m => m.Seq));
        Assert.All(page!, m => Assert.True(m.History));
    }

    [Fact]
    public void A_cached_page_stops_at_its_message_and_byte_bounds_and_at_up_to()
    {
        // Arrange
        var room = new Room("general", cacheSize: 1000);
        for (var seq = 1; seq <= 50; seq++)
        {
            room.Delivered(Msg(seq, 100));
        }

        // Act
        var byCount = room.CachedPage(0, 50, 10, long.MaxValue, null);
        var byBytes = room.CachedPage(0, 50, 1000, 3 * ReplayLimits.Cost(Msg(1, 100)), null);
        var byUpTo = room.CachedPage(40, 45, 1000, long.MaxValue, null);

        // Assert
        Assert.Equal(10, byCount!.Count);
        Assert.Equal(3, byBytes!.Count);
        Assert.Equal([41L, 42L, 43L, 44L, 45L], byUpTo!.Select(m => m.Seq));
    }
}
