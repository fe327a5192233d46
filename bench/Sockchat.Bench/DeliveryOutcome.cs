namespace Sockchat.Bench;

public enum DeliveryOutcome
{
    /// <summary>First arrival, in order.</summary>
    New,

    /// <summary>First arrival, but after a later message of the same sender.</summary>
    Reordered,

    /// <summary>Already received once.</summary>
    Duplicate,

    /// <summary>From a sender of another room: this receiver should not have got it (counted as a duplicate).</summary>
    Misrouted,

    /// <summary>A sender or sequence number that no sender of this run used.</summary>
    Unknown,
}
