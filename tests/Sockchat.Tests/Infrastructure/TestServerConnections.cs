using System.Diagnostics;
using System.Reflection;
using Sockchat.Server;
using Xunit.Sdk;

namespace Sockchat.Tests.Infrastructure;

/// <summary>
/// Reads <see cref="ChatServer.ConnectionCount"/> of a running <see cref="TestServer"/>, which keeps
/// its <see cref="ChatServer"/> private. The fixture is left as it is; this helper looks up the
/// field by name and fails loudly, naming itself, if the fixture changes shape.
/// </summary>
internal static class TestServerConnections
{
    private static readonly TimeSpan PollPeriod = TimeSpan.FromMilliseconds(10);

    /// <summary>Open connections the server counts (named or not, refused ones excluded).</summary>
    public static int ConnectionCount(this TestServer server)
    {
        var field = typeof(TestServer).GetField("_server", BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new XunitException("TestServer no longer keeps its ChatServer in the field '_server'; update TestServerConnections");
        return ((ChatServer)field.GetValue(server)!).ConnectionCount;
    }

    /// <summary>Polls until the server counts exactly <paramref name="expected"/> connections; fails after <paramref name="within"/>.</summary>
    public static async Task WaitForConnectionCountAsync(this TestServer server, int expected, TimeSpan? within = null)
    {
        var limit = within ?? LineConnection.DefaultWait;
        var elapsed = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(PollPeriod);
        var count = server.ConnectionCount();
        while (count != expected)
        {
            if (elapsed.Elapsed > limit)
            {
                throw new XunitException($"the server still counted {count} connections after {limit.TotalSeconds} s, not {expected}");
            }
            await timer.WaitForNextTickAsync();
            count = server.ConnectionCount();
        }
    }
}
