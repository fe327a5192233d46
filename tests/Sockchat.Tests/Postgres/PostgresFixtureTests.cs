using Npgsql;
using Sockchat.Testing;

namespace Sockchat.Tests.Postgres;

/// <summary>The PostgreSQL fixture of tests/Shared itself: what the cluster tests rely on.</summary>
public sealed class PostgresFixtureTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact(Timeout = 60_000)]
    public async Task The_class_database_is_fresh_and_reachable()
    {
        // Act
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        var name = await ScalarAsync<string>(connection, "SELECT current_database()");
        var tables = await ScalarAsync<long>(connection, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");

        // Assert
        Assert.Equal(database.Name, name);
        Assert.StartsWith(PostgresDatabase.NamePrefix, name);
        Assert.Equal(0, tables);
    }

    [Fact(Timeout = 60_000)]
    public async Task Two_fixtures_get_different_databases_which_are_dropped_with_them_even_while_in_use()
    {
        // Arrange
        var first = new PostgresDatabase();
        var second = new PostgresDatabase();
        await first.InitializeAsync();
        await second.InitializeAsync();
        var extra = await first.CreateDatabaseAsync();
        await using var held = new NpgsqlConnection(second.ConnectionString);
        await held.OpenAsync(); // a node killed mid-test leaves sessions like this one

        // Act
        var namesWhileAlive = await DatabasesAsync();
        await first.DisposeAsync();
        await second.DisposeAsync();
        var namesAfter = await DatabasesAsync();

        // Assert
        var extraName = new NpgsqlConnectionStringBuilder(extra).Database!;
        Assert.NotEqual(first.Name, second.Name);
        Assert.Subset(namesWhileAlive, new HashSet<string> { first.Name, second.Name, extraName });
        Assert.DoesNotContain(first.Name, namesAfter);
        Assert.DoesNotContain(second.Name, namesAfter);
        Assert.DoesNotContain(extraName, namesAfter);
        Assert.Contains(database.Name, namesAfter);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_private_instance_stops_and_starts_again_on_its_port_with_its_data_and_is_removed_on_dispose()
    {
        // Arrange
        var instance = await PostgresInstance.StartAsync();
        string folder = instance.Folder;
        try
        {
            var connectionString = await instance.CreateDatabaseAsync();
            await ExecuteAsync(connectionString, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)");

            // Act
            await instance.StopAsync();
            var whileStopped = await Assert.ThrowsAnyAsync<Exception>(() => ExecuteAsync(connectionString, "SELECT 1"));
            await instance.StartAgainAsync();

            // Assert
            Assert.True(whileStopped is NpgsqlException, $"expected a refused connection, got {whileStopped}");
            Assert.Equal(instance.Port, new NpgsqlConnectionStringBuilder(connectionString).Port);
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            Assert.Equal(7, await ScalarAsync<int>(connection, "SELECT n FROM kept"));
        }
        finally
        {
            await instance.DisposeAsync();
        }
        Assert.False(Directory.Exists(folder), $"{folder} is still there");
    }

    private async Task<HashSet<string>> DatabasesAsync()
    {
        await using var connection = new NpgsqlConnection(database.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT datname FROM pg_database WHERE datname LIKE '{PostgresDatabase.NamePrefix}%'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var names = new HashSet<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
