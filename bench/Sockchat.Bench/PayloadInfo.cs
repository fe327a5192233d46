namespace Sockchat.Bench;

/// <summary>What a payload carries: who sent it, its number in that sender's sequence, and when (Stopwatch ticks).</summary>
public readonly record struct PayloadInfo(int Sender, long Sequence, long SentTicks);
