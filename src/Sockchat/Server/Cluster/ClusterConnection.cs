using Npgsql;

namespace Sockchat.Server.Cluster;

/// <summary>
/// Turns the <c>--cluster</c> value into an Npgsql connection string: a connection string as
/// Npgsql reads it, or a <c>postgres://user[:password]@host[:port]/database?key=value</c> URL.
/// The password normally comes from <c>PGPASSWORD</c> or a passfile (<c>PGPASSFILE</c>, or
/// <c>~/.pgpass</c>), which Npgsql reads itself, so it need never be on the command line.
/// </summary>
public static class ClusterConnection
{
    /// <exception cref="ArgumentException">the value is neither a valid URL nor a valid connection string</exception>
    public static string ToConnectionString(string value)
    {
        var text = value.Trim();
        var builder = text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            ? FromUrl(text)
            : new NpgsqlConnectionStringBuilder(text);
        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new ArgumentException("it names no host (Host=... or postgres://user@host/db)");
        }
        // The node's own name in pg_stat_activity, and LISTEN needs no pooling quirks.
        builder.ApplicationName ??= "sockchat";
        return builder.ConnectionString;
    }

    private static NpgsqlConnectionStringBuilder FromUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException("it is not a valid postgres:// URL (postgres://user@host:port/database)");
        }
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host.Trim('[', ']') };
        if (uri.Port > 0)
        {
            builder.Port = uri.Port;
        }
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var val = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            // libpq's sslmode and friends have Npgsql names too; an unknown key is an error there as here.
            builder[key switch { "sslmode" => "SSL Mode", "application_name" => "Application Name", "connect_timeout" => "Timeout", _ => key }] = val;
        }
        return builder;
    }

    /// <summary>The data source of a node: Npgsql's slim builder, which keeps the Native AOT build free of trim warnings.</summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString) => new NpgsqlSlimDataSourceBuilder(connectionString).EnableArrays().Build();
}
