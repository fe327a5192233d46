using System.Text;
using Sockchat.Protocol;
using Sockchat.Server.Cluster;

namespace Sockchat.Tests.Cluster;

/// <summary>
/// Issue 11: a commit's messages and events travel to the other nodes inside the notification,
/// so what another node delivers from a payload must be exactly what was stored, in order, and
/// every payload must fit PostgreSQL's limit however big the commit.
/// </summary>
public sealed class RoomPayloadsTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_000_123);

    private static MsgFrame Msg(long seq, string text, string from = "alice", bool action = false) =>
        new("general", seq, T0.AddSeconds(seq), from, text, action);

    [Fact]
    public void A_small_commit_travels_as_one_chunk_that_reads_back_as_stored()
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
        var payloads = RoomPayloads.Build(7, "general", 10, 3, stream);
        var chunk = RoomPayloads.Parse(Assert.Single(payloads));

        // Assert
        Assert.NotNull(chunk);
        Assert.Equal(("general", 7L, 10L, 12L, 3L, 6L), (chunk.Room, chunk.Node, chunk.FromSeq, chunk.ToSeq, chunk.FromEv, chunk.ToEv));
        Assert.Equal(stream, chunk.Records);
    }

    [Fact]
    public void A_commit_too_big_for_one_notification_is_cut_into_contiguous_chunks_under_the_limit()
    {
        // Arrange: 300 messages of 100 multi-byte characters (about 60 KB), events between some.
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

        // Act
        var payloads = RoomPayloads.Build(2, "general", 0, 0, stream);
        var chunks = payloads.Select(p => RoomPayloads.Parse(p)!).ToList();

        // Assert
        Assert.True(payloads.Count > 1);
        Assert.All(payloads, p => Assert.True(Encoding.UTF8.GetByteCount(p) <= ClusterStore.MaxPayloadBytes));
        Assert.Equal(stream, chunks.SelectMany(c => c.Records));
        Assert.Equal((0L, 0L), (chunks[0].FromSeq, chunks[0].FromEv));
        for (var i = 1; i < chunks.Count; i++)
        {
            Assert.Equal((chunks[i - 1].ToSeq, chunks[i - 1].ToEv), (chunks[i].FromSeq, chunks[i].FromEv));
        }
        Assert.Equal((300L, 6L), (chunks[^1].ToSeq, chunks[^1].ToEv));
    }

    [Fact]
    public void A_message_too_long_for_any_notification_goes_as_a_pointer_in_its_place()
    {
        // Arrange
        var stream = new List<object> { Msg(1, "short"), Msg(2, new string('x', 12_000)), Msg(3, "after") };

        // Act
        var payloads = RoomPayloads.Build(1, "general", 0, 0, stream);

        // Assert: the first chunk, "the room reached seq 2", then a chunk that starts after it.
        Assert.Equal(3, payloads.Count);
        Assert.Equal([Msg(1, "short")], RoomPayloads.Parse(payloads[0])!.Records);
        Assert.Null(RoomPayloads.Parse(payloads[1]));
        Assert.Equal(ClusterStore.RoomPayload("general", 2, 0), payloads[1]);
        var last = RoomPayloads.Parse(payloads[2])!;
        Assert.Equal((2L, 3L), (last.FromSeq, last.ToSeq));
        Assert.Equal([Msg(3, "after")], last.Records);
    }

    [Fact]
    public void The_node_that_committed_reads_only_the_header_of_its_own_chunk()
    {
        var payload = Assert.Single(RoomPayloads.Build(4, "dev", 0, 0, [Msg(1, "mine") with { Room = "dev" }]));

        var own = RoomPayloads.Parse(payload, ownNode: 4)!;
        var other = RoomPayloads.Parse(payload, ownNode: 5)!;

        Assert.Empty(own.Records);
        Assert.Equal(("dev", 1L), (own.Room, own.ToSeq));
        Assert.Single(other.Records);
    }

    [Theory]
    [InlineData("b 1 0 1 0 0")]
    [InlineData("b 1 x 1 0 0 general")]
    [InlineData("b 1 0 1 0 0 general\nm\n1\n5")]
    [InlineData("b 1 0 1 0 0 general\nq\n1")]
    [InlineData("r 5 0 general")]
    [InlineData("d\n1\na\nb\nhi")]
    public void Anything_else_is_not_taken_for_a_chunk(string payload) => Assert.Null(RoomPayloads.Parse(payload));
}
