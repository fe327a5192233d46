using Npgsql;

namespace Sockchat.Testing;

/// <summary>
/// The PostgreSQL server of this test run, shared by every test class of the process (issue 11).
/// Its admin connection string comes from <c>SOCKCHAT_TEST_POSTGRES</c> (what <c>.ci/run</c>
/// exports); when that is not set, the first class that asks starts a throwaway instance of its
/// own through scripts/postgres.sh (so the README's <c>dotnet test</c> works on a machine that has
/// PostgreSQL installed) and the test process stops it when it exits. Without either, asking fails
/// with a message that says what to install: the PostgreSQL tests never skip.
/// Test classes do not use this directly but declare <c>IClassFixture&lt;PostgresDatabase&gt;</c>.
/// </summary>
public static class PostgresServer
{
    public const string EnvironmentVariable = "SOCKCHAT_TEST_POSTGRES";

    private static readonly Lazy<Task<string>> Admin = new(FindOrStartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The admin (superuser) connection string, e.g. <c>Host=127.0.0.1;Port=24589;Username=postgres</c>.
    /// A failure to start is remembered: every class that asks afterwards gets the same exception.
    /// </summary>
    public static Task<string> AdminConnectionStringAsync() => Admin.Value;

    private static async Task<string> FindOrStartAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(given);
            }
            catch (ArgumentException ex)
            {
                throw new InvalidOperationException(
                    $"{EnvironmentVariable} is not an Npgsql connection string (Host=127.0.0.1;Port=5432;Username=postgres): {ex.Message}", ex);
            }
            return given;
        }
        PostgresInstance.RemoveLeftovers();
        PostgresInstance instance;
        try
        {
            instance = await PostgresInstance.StartAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException(
                $"These tests need PostgreSQL. {EnvironmentVariable} is not set, so they start their own with scripts/postgres.sh, "
                + $"which failed: {ex.Message}{Environment.NewLine}Either set {EnvironmentVariable} to a superuser connection string "
                + "(Host=127.0.0.1;Port=5432;Username=postgres) or install PostgreSQL: apt-get install postgresql", ex);
        }
        // xunit 2 has no assembly-wide teardown; the test process exiting is the end of the run.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => instance.StopBeforeExit();
        return instance.AdminConnectionString;
    }
}
