namespace Sockchat.Bench;

/// <summary>What the once-a-second progress line shows.</summary>
public readonly record struct ProgressSnapshot(
    TimeSpan Elapsed, string Phase, int Ready, int Clients, long Sent, long ToSend, long Received, long Expected,
    long ReceivedPerSecond, long Spliced, int Failed);
