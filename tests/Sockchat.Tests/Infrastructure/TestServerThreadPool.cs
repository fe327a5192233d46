using Sockchat.Server;
using Xunit.Abstractions;

namespace Sockchat.Tests.Infrastructure;

/// <summary>
/// Starts a <see cref="TestServer"/> from the thread pool. The server's accept loop and sessions
/// then continue on the thread pool, as in production, instead of on the test framework's
/// synchronization context, whose few threads every test running in parallel shares. For tests
/// whose limits are a few hundred milliseconds, so that a busy neighbour cannot stretch them.
/// </summary>
internal static class TestServerThreadPool
{
    public static Task<TestServer> StartAsync(ServerOptions options, ITestOutputHelper output) =>
        Task.Run(() => TestServer.StartAsync(options, output));
}
