namespace Sockchat.Bench;

/// <summary>What <see cref="LoadGenerator"/> learns while running, before it becomes a <see cref="BenchReport"/>.</summary>
internal sealed class RunResult
{
    public double ConnectMs { get; set; }

    public double ReadyMs { get; set; }

    /// <summary>When the last connect completed, in the generator's Stopwatch ticks since the run began.</summary>
    public long LastConnectTicks { get; set; }

    /// <summary>Sending started (in <see cref="LatencyRecorder"/> ticks); null when it never did.</summary>
    public long? SendStartTicks { get; set; }

    public bool TimedOut { get; set; }

    public bool Stalled { get; set; }

    public ServerMemory? IdleMemory { get; set; }

    public bool? StopReaderDisconnected { get; set; }
}
