namespace Sockchat.Tests.Cluster;

/// <summary>
/// What every in-process cluster test class shares: a fresh PostgreSQL database for each test
/// (xunit makes a new instance of the class per test), created before it and dropped after it.
/// </summary>
public abstract class ClusterTest : IAsyncLifetime
{
    protected TestDatabase Db { get; } = new();

    public Task InitializeAsync() => Db.InitializeAsync();

    public Task DisposeAsync() => Db.DisposeAsync();
}
