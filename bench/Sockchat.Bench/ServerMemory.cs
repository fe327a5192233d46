namespace Sockchat.Bench;

/// <summary>A server process's resident memory now (VmRSS) and at its peak (VmHWM), in KiB.</summary>
public readonly record struct ServerMemory(long RssKib, long HwmKib);
