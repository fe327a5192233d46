namespace Sockchat.Server.Cluster;

/// <summary>How a node joins its cluster: the shared PostgreSQL and the timings of its lease.</summary>
public sealed record ClusterOptions
{
    /// <summary>An Npgsql connection string (never holding the password unless the user put it there).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>A node that has not renewed its lease for this long is dead: the others release its names and announce its users left.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a node renews its lease and looks for dead nodes (a third of the lease).</summary>
    public TimeSpan Heartbeat => Lease / 3;

    /// <summary>The safety net under LISTEN/NOTIFY: every this often a node reads what it may have missed.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>An idempotency key (sender and client message id) is remembered this long: a resend within it is not stored twice.</summary>
    public TimeSpan ResendWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>First and longest wait before reconnecting after PostgreSQL was lost.</summary>
    public TimeSpan ReconnectMin { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan ReconnectMax { get; init; } = TimeSpan.FromSeconds(5);
}
