using System.Text;
using Sockchat.Protocol;
using Sockchat.Server.Cluster;

namespace Sockchat.Tests.Cluster;

/// <summary>
/// Issue 11: a commit's messages and events travel to the other nodes inside its notifications,
/// one for all its rooms while they fit, so what another node delivers from a payload must be
/// exactly what was stored, room by room and in order, and every payload must fit PostgreSQL's
/// limit however big the commit.
/// </summary>
public sealed class RoomPayloadsTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_123);

    private static MsgFrame Msg(long seq, string text, string from = "alice", bool action = false, string room = "general") =>
        new(room, seq, T0.AddSeconds(seq), from, text, action);

    private static RoomChunk Chunk(FanoutWork section) => Assert.IsType<RoomChunk>(section);

    [Fact]
    public void A_small_commit_travels_as_one_payload_that_reads_back_as_stored()
    {
        // Arrange: two messages (one an action, one with a tab and non-ASCII text) around a join and a rename.
        var stream = new List<object>
        {
            Msg(11, "hello\tworld, grüße 👋"),
            new StoredEvent(4, 11, RoomEvent.Joined, "bob", null, null, 7, T0),
            Msg(12, "waves", from: "bob", action: true),
            new StoredEvent(5, 12, RoomEvent.Nick, "bob", "bobby", null, 7, T0),
            new StoredEvent(6, 12, RoomEvent.Left, "bobby", null, "quit", 7, T0),
        };

        // Act
        var payloads = RoomPayloads.Build(7, 31, [new RoomPart("general", 10, 3, stream)]);
        var commit = RoomPayloads.Parse(Assert.Single(payloads));

        // Assert
        Assert.NotNull(commit);
        Assert.Equal((7L, 31L), (commit.Node, commit.Commit));
        var chunk = Chunk(Assert.Single(commit.Sections));
        Assert.Equal(("general", 7L, 10L, 12L, 3L, 6L), (chunk.Room, chunk.Node, chunk.FromSeq, chunk.ToSeq, chunk.FromEv, chunk.ToEv));
        Assert.Equal(stream, chunk.Records);
    }

    [Fact]
    public void A_commit_over_fifty_rooms_is_one_notification_with_a_section_per_room()
    {
        // Arrange: two messages in each of 50 rooms, as a commit of many small rooms is.
        var parts = Enumerable.Range(0, 50)
            .Select(i => new RoomPart($"room{i}", 100 + i, i, [Msg(101 + i, "hi", room: $"room{i}"), Msg(102 + i, "there", from: "bob", room: $"room{i}")]))
            .ToList();

        // Act
        var payloads = RoomPayloads.Build(3, 8, parts);
        var commit = RoomPayloads.Parse(Assert.Single(payloads))!;

        // Assert: each room's section where it stood, with its two messages.
        Assert.Equal(50, commit.Sections.Count);
        for (var i = 0; i < 50; i++)
        {
            var chunk = Chunk(commit.Sections[i]);
            Assert.Equal(($"room{i}", 100L + i, 102L + i, (long)i, (long)i), (chunk.Room, chunk.FromSeq, chunk.ToSeq, chunk.FromEv, chunk.ToEv));
            Assert.Equal(parts[i].Stream, chunk.Records);
        }
    }

    [Fact]
    public void A_commit_too_big_for_one_notification_is_cut_into_contiguous_sections_under_the_limit()
    {
        // Arrange: 300 messages of 100 multi-byte characters (about 60 KB) in one room, events between
        // some, and a second room after it.
        var stream = new List<object>();
        long ev = 0;
        for (var seq = 1; seq <= 300; seq++)
        {
            stream.Add(Msg(seq, new string('é', 100) + seq));
            if (seq % 50 == 0)
            {
                stream.Add(new StoredEvent(++ev, seq, RoomEvent.Joined, $"user{seq}", null, null, 2, T0));
            }
        }
        var other = new List<object> { Msg(5, "elsewhere", room: "other") };

        // Act
        var payloads = RoomPayloads.Build(2, 1, [new RoomPart("general", 0, 0, stream), new RoomPart("other", 4, 0, other)]);
        var sections = payloads.SelectMany(p => RoomPayloads.Parse(p)!.Sections).Select(Chunk).ToList();

        // Assert
        Assert.True(payloads.Count > 1);
        Assert.All(payloads, p => Assert.True(Encoding.UTF8.GetByteCount(p) <= ClusterStore.MaxPayloadBytes));
        var general = sections.Where(c => c.Room == "general").ToList();
        Assert.Equal(stream, general.SelectMany(c => c.Records));
        Assert.Equal((0L, 0L), (general[0].FromSeq, general[0].FromEv));
        for (var i = 1; i < general.Count; i++)
        {
            Assert.Equal((general[i - 1].ToSeq, general[i - 1].ToEv), (general[i].FromSeq, general[i].FromEv));
        }
        Assert.Equal((300L, 6L), (general[^1].ToSeq, general[^1].ToEv));
        Assert.Equal(other, Assert.Single(sections, c => c.Room == "other").Records);
        Assert.Equal("other", sections[^1].Room);
    }

    [Fact]
    public void A_message_too_long_for_any_notification_goes_as_a_pointer_in_its_place()
    {
        // Arrange
        var stream = new List<object> { Msg(1, "short"), Msg(2, new string('x', 12_000)), Msg(3, "after") };

        // Act
        var payloads = RoomPayloads.Build(1, 1, [new RoomPart("general", 0, 0, stream)]);
        var sections = payloads.SelectMany(p => RoomPayloads.Parse(p)!.Sections).ToList();

        // Assert: the first section, "the room reached seq 2", then a section that starts after it.
        Assert.Equal(3, sections.Count);
        Assert.Equal([Msg(1, "short")], Chunk(sections[0]).Records);
        Assert.Equal(new RoomAdvanced("general", 2, 0), sections[1]);
        var last = Chunk(sections[2]);
        Assert.Equal((2L, 3L), (last.FromSeq, last.ToSeq));
        Assert.Equal([Msg(3, "after")], last.Records);
    }

    [Fact]
    public void The_node_that_committed_reads_only_the_positions_of_its_own_sections()
    {
        var payload = Assert.Single(RoomPayloads.Build(4, 2, [
            new RoomPart("dev", 0, 0, [Msg(1, "mine", room: "dev"), new StoredEvent(1, 1, RoomEvent.Left, "bob", null, "quit", 4, T0)]),
            new RoomPart("ops", 6, 2, [Msg(7, "also mine", room: "ops")]),
        ]));

        var own = RoomPayloads.Parse(payload, ownNode: 4)!;
        var other = RoomPayloads.Parse(payload, ownNode: 5)!;

        Assert.All(own.Sections, s => Assert.Empty(Chunk(s).Records));
        Assert.Equal([("dev", 1L, 1L), ("ops", 7L, 2L)], own.Sections.Select(Chunk).Select(c => (c.Room, c.ToSeq, c.ToEv)));
        Assert.Equal([2, 1], other.Sections.Select(s => Chunk(s).Records.Count));
    }

    [Theory]
    [InlineData("c 1 1")]
    [InlineData("c 1 1 2\nb 0 1 0 0 general")]
    [InlineData("c 1 1\nb 0 1 0 0")]
    [InlineData("c 1 1\nb 1 x 1 0 0 general")]
    [InlineData("c 1 1\nb 0 1 0 0 general\nm\n1\n5")]
    [InlineData("c 1 1\nb 0 1 0 0 general\nq\n1")]
    [InlineData("c 1 1\nr 5 0 general\nm\n6\n5\ns\nbob\nhi")]
    [InlineData("b 1 0 1 0 0 general")]
    [InlineData("r 5 0 general")]
    [InlineData("d\n1\na\nb\nhi")]
    public void Anything_else_is_not_taken_for_a_commit(string payload) => Assert.Null(RoomPayloads.Parse(payload));
}
