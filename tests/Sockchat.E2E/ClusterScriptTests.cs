using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using CliWrap;
using Npgsql;
using Sockchat.E2E.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.E2E;

/// <summary>
/// scripts/cluster.sh, the local cluster in one command (issue 11), with stand-in nodes: a small
/// bash program as SOCKCHAT that records how it was started and prints the ready lines a node
/// prints. What is checked is the script's part: a real PostgreSQL with a database `sockchat`
/// that the nodes are pointed at, every node started and waited for, a dead node reported while
/// the others go on, and SIGTERM stopping the nodes and PostgreSQL and removing the folder.
/// (Against real `serve --cluster` nodes: the cluster tests.)
/// </summary>
[SupportedOSPlatform("linux")] // bash scripts, signals
public sealed partial class ClusterScriptTests(ITestOutputHelper output)
{
    private const int SigKill = 9;
    private const int SigTerm = 15;

    /// <summary>
    /// Ready lines like a node's; on SIGTERM it notes that it was stopped. It lives 120 s at most,
    /// waiting in bash's own <c>read</c> on a FIFO, so a SIGKILL leaves no child behind.
    /// </summary>
    private const string StandInNode = """
        #!/usr/bin/env bash
        set -euo pipefail
        if [ "$1 ${2:-}" = "serve --help" ]; then echo "  --cluster <connection>  share rooms through PostgreSQL"; exit 0; fi
        printf '%s\n' "$@" > "$STAND_IN_RECORD/$$.args"
        trap 'touch "$STAND_IN_RECORD/$$.stopped"; exit 0' TERM
        mkfifo "$STAND_IN_RECORD/$$.fifo"
        port=$((41000 + $$ % 20000))
        echo "listening on 127.0.0.1:$port"
        echo "web on http://127.0.0.1:$((port + 1))/"
        read -r -t 120 _ <>"$STAND_IN_RECORD/$$.fifo" || true
        """;

    [Fact(Timeout = 120_000)]
    public async Task The_script_starts_postgres_and_three_nodes_pointed_at_it_reports_a_dead_node_and_stops_everything_on_sigterm()
    {
        // Arrange
        var scratch = Directory.CreateTempSubdirectory("sockchat-cluster-script-").FullName;
        var record = Directory.CreateDirectory(Path.Combine(scratch, "record")).FullName;
        var node = Path.Combine(scratch, "sockchat");
        await File.WriteAllTextAsync(node, StandInNode.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(node, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var sandbox = new Sandbox(output);
        var command = Cli.Wrap("bash")
            .WithArguments([Path.Combine(InstalledTool.RepositoryRoot(), "scripts", "cluster.sh"), "--", "--motd", "hello there"])
            .WithEnvironmentVariables(new Dictionary<string, string?> { ["SOCKCHAT"] = node, ["STAND_IN_RECORD"] = record, ["NODES"] = null, ["BASE_PORT"] = null });
        var script = await ToolProcess.StartCommandAsync(sandbox, "cluster.sh", command);
        var (stdout, stderr) = (script.Stdout, script.Stderr);
        string? folder = null;
        try
        {
            await stdout.WaitForAsync(Ready(), TimeSpan.FromSeconds(90));
            folder = Field(stdout, "folder");
            var connectionString = Field(stdout, "postgres");
            var nodes = stdout.Lines.Select(line => NodeLine().Match(line)).Where(match => match.Success).ToList();

            // Act
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync();
                await using var query = new NpgsqlCommand("SELECT current_database()", connection);
                Assert.Equal("sockchat", await query.ExecuteScalarAsync());
            }
            var victim = int.Parse(nodes[1].Groups["pid"].Value);
            Assert.Equal(0, ToolProcess.Signal(victim, SigKill));
            await stderr.WaitForAsync(line => line.Contains($"node2 (pid {victim}) exited with status 137; the others keep running"), "about node2's death");
            Assert.True(script.Signal(SigTerm), "cluster.sh had already exited");
            var exitCode = await script.WaitForExitAsync(TimeSpan.FromSeconds(60));

            // Assert
            Assert.Equal(0, exitCode);
            Assert.Equal(["node1", "node2", "node3"], nodes.Select(match => match.Groups["name"].Value));
            foreach (var match in nodes)
            {
                var nodePid = match.Groups["pid"].Value;
                var args = await File.ReadAllLinesAsync(Path.Combine(record, $"{nodePid}.args"));
                Assert.Equal(["serve", "--cluster", connectionString, "--host", "127.0.0.1", "--port", "0", "--web-port", "0", "--motd", "hello there"], args);
                Assert.Equal(match.Groups["name"].Value != "node2", File.Exists(Path.Combine(record, $"{nodePid}.stopped")));
            }
            Assert.False(Directory.Exists(folder), $"{folder} is still there");
            await using var gone = new NpgsqlConnection(connectionString + ";Timeout=5");
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => gone.OpenAsync());
        }
        finally
        {
            if (!script.HasExited)
            {
                script.Kill();
                await script.WaitForExitAsync(Timeouts.Exit);
            }
            // The script was killed before its clean-up: do it for it, the stand-ins and PostgreSQL.
            foreach (var file in Directory.EnumerateFiles(record, "*.args"))
            {
                _ = ToolProcess.Signal(int.Parse(Path.GetFileNameWithoutExtension(file)), SigKill);
            }
            if (folder is not null && Directory.Exists(folder))
            {
                await Cli.Wrap("bash").WithArguments([Path.Combine(InstalledTool.RepositoryRoot(), "scripts", "postgres.sh"), "stop", Path.Combine(folder, "postgres")])
                    .WithValidation(CommandResultValidation.None).ExecuteAsync(new CancellationTokenSource(Timeouts.Exit).Token);
                Directory.Delete(folder, recursive: true);
            }
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static string Field(LineLog log, string name) =>
        log.Lines.Single(line => line.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..];

    [GeneratedRegex(@"^ready 3 nodes$")]
    private static partial Regex Ready();

    [GeneratedRegex(@"^(?<name>node\d) chat 127\.0\.0\.1:\d+ web http://127\.0\.0\.1:\d+/ pid (?<pid>\d+)$")]
    private static partial Regex NodeLine();
}
