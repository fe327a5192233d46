namespace Sockchat.Bench;

/// <summary>
/// One receiver's account of what it got from each sender: counts unique deliveries, duplicates
/// and messages that arrived after a later one of the same sender. Exact (a bit per expected
/// message) unless the run is too large to track, when a sequence at or below the highest seen is
/// counted as reordered. With rooms (<c>--chat-rooms</c>), sender s posts into room s mod rooms and
/// only that room's members should get it: a message of another room's sender is misrouted, and
/// counted with the duplicates (a delivery that should not have happened). Owned by one client's
/// receive loop; the counters are read by others.
/// </summary>
public sealed class DeliveryTracker
{
    private readonly int _senders;
    private readonly long _messages;
    private readonly long[] _highest;
    private readonly ulong[]?[]? _seen;
    private readonly int _rooms;
    private readonly int _room;

    /// <param name="rooms">How many rooms the senders are spread over (sender s posts into room s mod rooms); 1: one room for all.</param>
    /// <param name="room">The room this receiver is in, 0..rooms-1.</param>
    public DeliveryTracker(int senders, long messages, bool exact, int rooms = 1, int room = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rooms, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(room);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(room, rooms);
        _senders = senders;
        _messages = messages;
        _rooms = rooms;
        _room = room;
        _highest = new long[senders];
        Array.Fill(_highest, -1L);
        _seen = exact ? new ulong[]?[senders] : null;
    }

    public long Unique { get; private set; }

    public long Duplicated { get; private set; }

    public long Reordered { get; private set; }

    /// <summary>Messages of a sender in another room (also counted in <see cref="Duplicated"/>).</summary>
    public long Misrouted { get; private set; }

    public DeliveryOutcome Record(int sender, long sequence)
    {
        if ((uint)sender >= (uint)_senders || sequence < 0 || sequence >= _messages)
        {
            return DeliveryOutcome.Unknown;
        }
        if (_rooms > 1 && sender % _rooms != _room)
        {
            Misrouted++;
            Duplicated++;
            return DeliveryOutcome.Misrouted;
        }
        if (_seen is not null)
        {
            var bits = _seen[sender] ??= new ulong[(_messages + 63) / 64];
            var mask = 1UL << (int)(sequence & 63);
            ref var word = ref bits[sequence >> 6];
            if ((word & mask) != 0)
            {
                Duplicated++;
                return DeliveryOutcome.Duplicate;
            }
            word |= mask;
        }
        Unique++;
        if (sequence > _highest[sender])
        {
            _highest[sender] = sequence;
            return DeliveryOutcome.New;
        }
        Reordered++;
        return DeliveryOutcome.Reordered;
    }
}
