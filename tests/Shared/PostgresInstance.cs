using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Npgsql;

namespace Sockchat.Testing;

/// <summary>
/// A throwaway PostgreSQL server of its own: scripts/postgres.sh run in a fresh folder under the
/// temp folder, on a free 127.0.0.1 port, trusting local connections. Whoever starts it owns it;
/// <see cref="DisposeAsync"/> stops it and removes the folder. A test that stops PostgreSQL on
/// purpose needs one of these (<see cref="StopAsync"/> then <see cref="StartAgainAsync"/>), since
/// stopping the shared <see cref="PostgresServer"/> would break the classes running beside it.
/// </summary>
public sealed class PostgresInstance : IAsyncDisposable
{
    /// <summary>Bound on one run of the script: an initdb and a start on a loaded 2-core machine take a few seconds.</summary>
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(120);

    private const string FolderPrefix = "sockchat-pg-";

    private int _disposed;

    private PostgresInstance(string folder, string adminConnectionString)
    {
        Folder = folder;
        AdminConnectionString = adminConnectionString;
        Port = new NpgsqlConnectionStringBuilder(adminConnectionString).Port;
    }

    /// <summary><c>Host=127.0.0.1;Port=PORT;Username=postgres</c>.</summary>
    public string AdminConnectionString { get; }

    public int Port { get; }

    /// <summary>The script's folder: data/, postgres.log (the server's log), port.</summary>
    public string Folder { get; }

    /// <summary>Runs initdb and starts the server; returns once it accepts connections.</summary>
    /// <exception cref="InvalidOperationException">the script failed (its stderr is in the message, e.g. the binaries are missing)</exception>
    /// <exception cref="TimeoutException">the script did not finish in time and was killed</exception>
    public static async Task<PostgresInstance> StartAsync(CancellationToken cancellationToken = default)
    {
        // The test process's id in the name lets a later run remove what a killed run left (RemoveLeftovers).
        var folder = Path.Combine(Path.GetTempPath(),
            $"{FolderPrefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{RandomNumberGenerator.GetHexString(8, lowercase: true)}");
        Directory.CreateDirectory(folder);
        try
        {
            var output = await RunScriptAsync(["start", folder], cancellationToken);
            return new PostgresInstance(folder, output.Trim());
        }
        catch
        {
            RunScriptBeforeExit(["stop", folder]);
            throw;
        }
    }

    /// <summary>A fresh database <c>sockchat_t_…</c>; its connection string. It goes with the instance.</summary>
    public Task<string> CreateDatabaseAsync(CancellationToken cancellationToken = default) =>
        PostgresDatabase.CreateAsync(AdminConnectionString, cancellationToken);

    /// <summary>Stops the server (fast shutdown: sessions are cut), keeping its data and port.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => RunScriptAsync(["halt", Folder], cancellationToken);

    /// <summary>Starts the stopped server again, on the same port with the same data; returns once it accepts connections.</summary>
    public Task StartAgainAsync(CancellationToken cancellationToken = default) => RunScriptAsync(["start", Folder], cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            NpgsqlConnection.ClearAllPools();
            await RunScriptAsync(["stop", Folder], CancellationToken.None);
        }
    }

    /// <summary>For a ProcessExit handler, where nothing can be awaited.</summary>
    internal void StopBeforeExit()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            RunScriptBeforeExit(["stop", Folder]);
        }
    }

    /// <summary>
    /// Stops and removes the instances that test processes which no longer run left behind (killed
    /// by a timeout or by hand before their ProcessExit handler ran). Those of live processes,
    /// such as a test run in another work tree, are left alone.
    /// </summary>
    internal static void RemoveLeftovers()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var name = Path.GetFileName(folder)[FolderPrefix.Length..];
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && int.TryParse(name[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !IsRunning(pid))
            {
                RunScriptBeforeExit(["stop", folder]);
            }
        }

        static bool IsRunning(int pid)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
    }

    private static async Task<string> RunScriptAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        using var process = Process.Start(ScriptStartInfo(args))
            ?? throw new InvalidOperationException("bash could not be started to run scripts/postgres.sh");
        process.StandardInput.Close();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ScriptTimeout);
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            await Task.WhenAll(stdout, stderr);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"scripts/postgres.sh {string.Join(' ', args)} did not finish within {ScriptTimeout.TotalSeconds:0} s and was killed.");
        }
        return process.ExitCode == 0
            ? await stdout
            : throw new InvalidOperationException(
                $"scripts/postgres.sh {string.Join(' ', args)} exited {process.ExitCode}:{Environment.NewLine}{(await stderr).Trim()}");
    }

    /// <summary>Best effort and blocking (bounded): for clean-up paths that must not throw.</summary>
    private static void RunScriptBeforeExit(IReadOnlyList<string> args)
    {
        try
        {
            // Its few lines of output stay unread in the pipes (far below their capacity).
            using var process = Process.Start(ScriptStartInfo(args));
            process?.StandardInput.Close();
            if (process is not null && !process.WaitForExit(ScriptTimeout))
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or DirectoryNotFoundException)
        {
            // Nothing more can be done at this point; the temp folder is the system's to clean.
        }
    }

    private static ProcessStartInfo ScriptStartInfo(IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo("bash")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // closed at once: the script never waits for input
        };
        info.ArgumentList.Add(Path.Combine(RepositoryRoot(), "scripts", "postgres.sh"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        return info;
    }

    /// <summary>The folder holding dotnet-sockchat.sln and scripts/, searching upwards from where the test runs.</summary>
    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "dotnet-sockchat.sln"))
                && File.Exists(Path.Combine(directory.FullName, "scripts", "postgres.sh")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException($"scripts/postgres.sh (beside dotnet-sockchat.sln) was not found above {AppContext.BaseDirectory}.");
    }
}
