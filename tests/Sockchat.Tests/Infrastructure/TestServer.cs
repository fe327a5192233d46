using System.Net;
using Microsoft.Extensions.Logging;
using Sockchat.Server;
using Xunit.Abstractions;

namespace Sockchat.Tests.Infrastructure;

/// <summary>
/// A real <see cref="ChatServer"/> on 127.0.0.1 and a port the system chose, running in the
/// background for one test: <c>await using var server = await TestServer.StartAsync();</c>.
/// It keeps the server's run task and awaits it on disposal, and disposal fails the test when
/// the server logged an Error or Critical (in the style of MQTTnet's ThrowIfLogErrors).
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly ChatServer _server;
    private readonly CollectingLoggerProvider _logs;
    private readonly ILoggerFactory _loggerFactory;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    private TestServer(ServerOptions options, ITestOutputHelper? output, TimeProvider? time)
    {
        Options = options;
        _logs = new CollectingLoggerProvider(output);
        _loggerFactory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs));
        _server = new ChatServer(options, _loggerFactory, time);
    }

    /// <summary>
    /// Starts a server with <paramref name="options"/> (its end point is always 127.0.0.1:0), on
    /// <paramref name="time"/>'s clock (a FakeTimeProvider drives the hub's timers) or the system's.
    /// </summary>
    public static async Task<TestServer> StartAsync(ServerOptions? options = null, ITestOutputHelper? output = null, TimeProvider? time = null)
    {
        var effective = (options ?? new ServerOptions()) with { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) };
        var server = new TestServer(effective, output, time);
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await server._server.StartAsync(timeout.Token);
        }
        catch
        {
            await server._server.DisposeAsync();
            server._loggerFactory.Dispose();
            server._stop.Dispose();
            throw;
        }
        server._running = server._server.RunAsync(server._stop.Token);
        return server;
    }

    public ServerOptions Options { get; }

    public IPEndPoint EndPoint => _server.LocalEndPoint;

    public int Port => EndPoint.Port;

    public IReadOnlyList<LogEntry> Logs => _logs.Entries;

    /// <summary>The chat server itself (a web front end hands it sessions).</summary>
    public ChatServer Server => _server;

    /// <summary>The running server's instruments.</summary>
    public ServerMetrics Metrics => _server.Metrics ?? throw new InvalidOperationException("the server is not started");

    /// <summary>The running server's hub (its room count, its replays in progress).</summary>
    public ChatHub Hub => _server.Hub ?? throw new InvalidOperationException("the server is not started");

    /// <summary>Cancels the server (as Ctrl+C does) and waits for its graceful shutdown to finish.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running.WaitAsync(StopTimeout);
        }
        catch (ObjectDisposedException ex) when (ex.StackTrace?.Contains(nameof(ClientSession.BeginShutdown), StringComparison.Ordinal) == true)
        {
            // Not hidden, only named: a client that left just as the server stopped hit a known race.
            throw new Xunit.Sdk.XunitException(
                "ChatServer.RunAsync failed during shutdown: ClientSession.BeginShutdown cancelled a disposed session " +
                "(see ClientSessionTests.Beginning_shutdown_of_a_session_that_already_ended_does_not_throw)" + Environment.NewLine + ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            await _server.DisposeAsync();
            _loggerFactory.Dispose();
            _stop.Dispose();
        }
        var errors = _logs.Entries.Where(e => e.Level >= LogLevel.Error).ToList();
        if (errors.Count > 0)
        {
            Assert.Fail($"the server logged {errors.Count} error(s):{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
        }
    }
}
