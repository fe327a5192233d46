using Npgsql;

namespace Sockchat.Tests.Cluster;

/// <summary>
/// A fresh PostgreSQL database for one test class, on the test run's server
/// (<see cref="Sockchat.Testing.PostgresServer"/>: the one <c>SOCKCHAT_TEST_POSTGRES</c> names, which
/// .ci/run starts and exports, else a throwaway instance the test process starts itself). Created
/// as <c>sockchat_test_&lt;random&gt;</c>, dropped on dispose. Without PostgreSQL the tests fail
/// with a message saying how to get one: cluster tests never skip.
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    private string _admin = "";

    public string Name { get; } = "sockchat_test_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The test database, for nodes (their ClusterOptions.ConnectionString); set once initialized.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _admin = await Sockchat.Testing.PostgresServer.AdminConnectionStringAsync();
        ConnectionString = new NpgsqlConnectionStringBuilder(_admin) { Database = Name }.ConnectionString;
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
