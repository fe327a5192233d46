using System.Security.Cryptography;
using Npgsql;

namespace Sockchat.Testing;

/// <summary>
/// An xunit class fixture: a fresh, empty database <c>sockchat_t_&lt;random&gt;</c> on the run's
/// <see cref="PostgresServer"/> for one test class, dropped after the class's last test (with
/// <c>FORCE</c>, so connections that killed nodes or pools left open do not keep it). Declare
/// <c>IClassFixture&lt;PostgresDatabase&gt;</c> and take it in the constructor;
/// <see cref="ConnectionString"/> is the class's database, <see cref="CreateDatabaseAsync"/> makes
/// more (say one per test, for a test that needs an empty schema), dropped with it.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    public const string NamePrefix = "sockchat_t_";

    private readonly Lock _lock = new();
    private readonly List<string> _created = [];
    private string? _admin;
    private string? _connectionString;

    /// <summary>The superuser connection string of the server the databases are on.</summary>
    public string AdminConnectionString => _admin ?? throw NotYet();

    /// <summary>The class's database: <c>Host=127.0.0.1;Port=…;Username=postgres;Database=sockchat_t_…</c>.</summary>
    public string ConnectionString => _connectionString ?? throw NotYet();

    /// <summary>The class's database's name.</summary>
    public string Name => new NpgsqlConnectionStringBuilder(ConnectionString).Database!;

    public async Task InitializeAsync()
    {
        _admin = await PostgresServer.AdminConnectionStringAsync();
        _connectionString = await CreateDatabaseAsync();
    }

    /// <summary>Another fresh database on the same server; its connection string. Dropped with the fixture.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var connectionString = await CreateAsync(AdminConnectionString, cancellationToken);
        lock (_lock)
        {
            _created.Add(connectionString);
        }
        return connectionString;
    }

    public async Task DisposeAsync()
    {
        string[] created;
        lock (_lock)
        {
            created = [.. _created];
            _created.Clear();
        }
        foreach (var connectionString in created)
        {
            await DropAsync(_admin!, connectionString, CancellationToken.None);
        }
    }

    /// <summary>Creates <c>sockchat_t_&lt;random&gt;</c> on the server of <paramref name="adminConnectionString"/>; its connection string.</summary>
    internal static async Task<string> CreateAsync(string adminConnectionString, CancellationToken cancellationToken)
    {
        var name = NamePrefix + RandomNumberGenerator.GetHexString(12, lowercase: true);
        await ExecuteAsync(adminConnectionString, $"CREATE DATABASE {name}", cancellationToken);
        return new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }.ConnectionString;
    }

    private static async Task DropAsync(string adminConnectionString, string connectionString, CancellationToken cancellationToken)
    {
        // This process's idle pooled connections go quietly first; FORCE ends everyone else's.
        using (var connection = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await ExecuteAsync(adminConnectionString, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)", cancellationToken);
    }

    /// <summary>One statement on the maintenance database, unpooled so that no admin session lingers.</summary>
    private static async Task ExecuteAsync(string adminConnectionString, string sql, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString) { Pooling = false, Timeout = 15, CommandTimeout = 60 };
        if (string.IsNullOrEmpty(builder.Database))
        {
            builder.Database = "postgres";
        }
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static InvalidOperationException NotYet() =>
        new("The database is made in InitializeAsync: declare IClassFixture<PostgresDatabase> on the test class (or await InitializeAsync first).");
}
