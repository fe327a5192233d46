using System.CommandLine;
using Microsoft.Extensions.Configuration.Memory;
using Npgsql;
using Sockchat.Cli;
using Sockchat.Configuration;
using Sockchat.Server;
using Sockchat.Server.Cluster;
using Sockchat.Tests.Infrastructure;

namespace Sockchat.Tests.Cluster;

/// <summary>Issue 11, step 1: the <c>--cluster</c> setting, the schema each node creates or migrates, and the node id it takes.</summary>
public sealed class ClusterStartupTests : ClusterTest
{
    [Fact(Timeout = 30000)]
    public async Task Two_nodes_migrating_the_schema_at_the_same_moment_both_start_on_one_schema_with_their_own_node_ids()
    {
        // Arrange
        var options = new ClusterOptions { ConnectionString = Db.ConnectionString };

        // Act
        var opening = Enumerable.Range(0, 2).Select(_ => Task.Run(() => ClusterStore.OpenAsync(options, TimeProvider.System, CancellationToken.None))).ToList();
        var stores = await Task.WhenAll(opening);

        // Assert
        try
        {
            Assert.NotEqual(stores[0].NodeId, stores[1].NodeId);
            Assert.Equal(1, await Db.ScalarAsync("SELECT count(*) FROM schema_version"));
            Assert.Equal(ClusterSchema.Version, await Db.ScalarAsync("SELECT max(version) FROM schema_version"));
            Assert.Equal(2, await Db.ScalarAsync("SELECT count(*) FROM nodes"));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = 30000)]
    public async Task A_database_of_schema_1_is_migrated_to_the_current_one_and_keeps_its_messages()
    {
        // Arrange: a database as the first cluster release left it (no DM tables), with a message.
        var options = new ClusterOptions { ConnectionString = Db.ConnectionString };
        await (await ClusterStore.OpenAsync(options, TimeProvider.System, CancellationToken.None)).DisposeAsync();
        await Db.ExecuteAsync("""
            DROP TABLE dms; DROP TABLE dm_streams; UPDATE schema_version SET version = 1;
            INSERT INTO messages (room, seq, ts_ms, sender, text, kind, node_id) VALUES ('general', 1, 0, 'alice', 'kept', 'say', 1);
            """);

        // Act
        await using var store = await ClusterStore.OpenAsync(options, TimeProvider.System, CancellationToken.None);

        // Assert
        Assert.Equal(ClusterSchema.Version, await Db.ScalarAsync("SELECT max(version) FROM schema_version"));
        Assert.Equal(1, await Db.ScalarAsync("SELECT count(*) FROM information_schema.tables WHERE table_name = 'dms'"));
        Assert.Equal(1, await Db.ScalarAsync("SELECT count(*) FROM messages WHERE text = 'kept'"));
    }

    [Fact(Timeout = 30000)]
    public async Task A_database_with_a_newer_schema_is_refused_and_left_untouched()
    {
        // Arrange
        await Db.ExecuteAsync("CREATE TABLE schema_version (version integer NOT NULL); INSERT INTO schema_version VALUES (99);");

        // Act
        var refusal = await Assert.ThrowsAsync<HistoryException>(() =>
            ClusterStore.OpenAsync(new ClusterOptions { ConnectionString = Db.ConnectionString }, TimeProvider.System, CancellationToken.None));

        // Assert
        Assert.Contains("newer", refusal.Message);
        Assert.Equal(99, await Db.ScalarAsync("SELECT max(version) FROM schema_version"));
        Assert.Equal(0, await Db.ScalarAsync("SELECT count(*) FROM information_schema.tables WHERE table_name = 'messages'"));
    }

    [Fact(Timeout = 30000)]
    public async Task A_postgres_url_names_the_same_server_user_and_database_as_a_connection_string()
    {
        // Arrange
        var given = new NpgsqlConnectionStringBuilder(Db.ConnectionString);

        // Act
        var fromUrl = new NpgsqlConnectionStringBuilder(ClusterConnection.ToConnectionString(
            $"postgres://{given.Username}@{given.Host}:{given.Port}/{given.Database}?sslmode=disable"));
        await using var store = await ClusterStore.OpenAsync(new ClusterOptions { ConnectionString = fromUrl.ConnectionString }, TimeProvider.System, CancellationToken.None);

        // Assert
        Assert.Equal((given.Host, given.Port, given.Username, given.Database), (fromUrl.Host, fromUrl.Port, fromUrl.Username, fromUrl.Database));
        Assert.Null(fromUrl.Password);
        Assert.Contains(given.Database!, store.Description);
    }

    [Theory(Timeout = 15000)]
    [InlineData("--history-db", "x.db")]
    public async Task Cluster_with_a_history_file_exits_2_with_one_line_naming_both(string flag, string value)
    {
        // Arrange
        using var work = new TempDirectory();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        // Act
        var code = await SockchatCli.RunAsync(["serve", "--port", "0", "--cluster", Db.ConnectionString, flag, value],
            new InvocationConfiguration { Output = stdout, Error = stderr },
            () => new SettingsLoader(new MemoryConfigurationSource(), work.Path, work.Path));

        // Assert
        Assert.Equal(ExitCodes.Usage, code);
        var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("cluster (from --cluster) and server.historyDb (from --history-db) exclude each other", line);
        Assert.Equal("", stdout.ToString());
    }

    [Fact(Timeout = 15000)]
    public async Task An_unreachable_cluster_database_exits_2_with_a_clear_line()
    {
        // Arrange
        using var work = new TempDirectory();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var port = FreePort.WithNothingListening();

        // Act
        var code = await SockchatCli.RunAsync(["serve", "--port", "0", "--no-web", "--cluster", $"postgres://nobody@127.0.0.1:{port}/none"],
            new InvocationConfiguration { Output = stdout, Error = stderr },
            () => new SettingsLoader(new MemoryConfigurationSource(), work.Path, work.Path));

        // Assert
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"cannot use the cluster database 127.0.0.1:{port}/none", stderr.ToString());
        Assert.DoesNotContain("listening on", stdout.ToString());
    }
}
