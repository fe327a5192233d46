namespace Sockchat.Bench;

/// <summary>
/// One receiver's account of what it got from each sender: counts unique deliveries, duplicates
/// and messages that arrived after a later one of the same sender. Exact (a bit per expected
/// message) unless the run is too large to track, when a sequence at or below the highest seen is
/// counted as reordered. Owned by one client's receive loop; the counters are read by others.
/// </summary>
public sealed class DeliveryTracker
{
    private readonly int _senders;
    private readonly long _messages;
    private readonly long[] _highest;
    private readonly ulong[]?[]? _seen;

    public DeliveryTracker(int senders, long messages, bool exact)
    {
        _senders = senders;
        _messages = messages;
        _highest = new long[senders];
        Array.Fill(_highest, -1L);
        _seen = exact ? new ulong[]?[senders] : null;
    }

    public long Unique { get; private set; }

    public long Duplicated { get; private set; }

    public long Reordered { get; private set; }

    public DeliveryOutcome Record(int sender, long sequence)
    {
        if ((uint)sender >= (uint)_senders || sequence < 0 || sequence >= _messages)
        {
            return DeliveryOutcome.Unknown;
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
