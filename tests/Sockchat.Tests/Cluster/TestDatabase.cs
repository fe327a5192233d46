using Npgsql;

namespace Sockchat.Tests.Cluster;

/// <summary>
/// A fresh PostgreSQL database for one test class, on the server that <c>SOCKCHAT_TEST_POSTGRES</c>
/// names (an admin connection string; .ci/run starts a throwaway server and exports it). Created
/// as <c>sockchat_test_&lt;random&gt;</c>, dropped on dispose. Without the variable the tests fail
/// with a message saying how to get one: cluster tests never skip.
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    public const string Variable = "SOCKCHAT_TEST_POSTGRES";

    private readonly string _admin;

    public TestDatabase()
    {
        _admin = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } admin
            ? admin
            : throw new InvalidOperationException(
                $"{Variable} is not set: the cluster tests need a PostgreSQL admin connection string, e.g. " +
                "Host=127.0.0.1;Port=55432;Username=postgres (.ci/run starts a throwaway server and sets it)");
        Name = "sockchat_test_" + Guid.NewGuid().ToString("N")[..12];
        ConnectionString = new NpgsqlConnectionStringBuilder(_admin) { Database = Name }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>The test database, for nodes (their ClusterOptions.ConnectionString).</summary>
    public string ConnectionString { get; }

    public async Task InitializeAsync()
    {
        await using var admin = new NpgsqlConnection(_admin);
        await admin.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {Name};", admin);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_admin);
        await admin.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE);", admin);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>One value read from the test database (assertions on what is stored).</summary>
    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }
}
