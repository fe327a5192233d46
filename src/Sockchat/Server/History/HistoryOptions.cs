namespace Sockchat.Server;

/// <summary>Where history lives and how much of it is kept.</summary>
public sealed record HistoryOptions
{
    /// <summary>The value of <see cref="Path"/> that keeps history in a throwaway file deleted at exit.</summary>
    public const string InMemory = ":memory:";

    /// <summary>The SQLite file, or <see cref="InMemory"/>.</summary>
    public string Path { get; init; } = InMemory;

    /// <summary>Most messages kept per room (0: no limit).</summary>
    public int MaxMessagesPerRoom { get; init; } = 10_000;

    /// <summary>Most messages kept over all rooms together, the oldest removed first (0: no limit).</summary>
    public int MaxTotalMessages { get; init; } = 1_000_000;

    /// <summary>Oldest message kept (null: no limit).</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary>How often retention runs.</summary>
    public TimeSpan TrimInterval { get; init; } = TimeSpan.FromMinutes(1);

    public bool IsInMemory => Path == InMemory;
}
