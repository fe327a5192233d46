using System.Diagnostics;
using System.Globalization;
using System.Text;
using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Robustness;

/// <summary>
/// A bounded soak: a few well-behaved clients chat steadily while hundreds of others connect,
/// start talking and vanish with a reset. Nothing of the chat is lost, no ghost is left behind,
/// and memory comes back down.
/// </summary>
[Collection(RobustnessSerialCollection.Name)]
public sealed class ChurnSoakTests(ITestOutputHelper output)
{
    private const int Regulars = 3;
    private const int MaxChurners = 300;
    private const int ChurnLanes = 4;
    private const int MaxMessagesEach = 400;
    private const long AllowedGrowth = 30L * 1024 * 1024;
    private static readonly TimeSpan ChurnTime = TimeSpan.FromSeconds(3);

    [Fact(Timeout = 60000)]
    public async Task Clients_that_drop_abruptly_mid_line_leave_no_trace_while_regulars_receive_every_message()
    {
        // Arrange
        var before = GC.GetTotalMemory(forceFullCollection: true);
        await using var server = await TestServer.StartAsync(new ServerOptions { MaxConnectionsPerAddress = 0 }, output);
        var regulars = new List<JsonTestClient>();
        try
        {
            for (var r = 0; r < Regulars; r++)
            {
                regulars.Add(await JsonTestClient.JoinAsync(server, $"regular{r}"));
            }
            using var churnDone = new CancellationTokenSource();
            var elapsed = Stopwatch.StartNew();
            var started = 0;

            // Act
            var chatting = regulars.Select((client, r) => ChatUntilAsync(client, r, churnDone.Token)).ToList();
            var churning = Enumerable.Range(0, ChurnLanes).Select(async _ =>
            {
                await Task.Yield();
                while (elapsed.Elapsed < ChurnTime && Interlocked.Increment(ref started) is var n && n <= MaxChurners)
                {
                    await ChurnOnceAsync(server, n);
                }
            }).ToList();
            await Task.WhenAll(churning);
            await churnDone.CancelAsync();
            var sent = await Task.WhenAll(chatting);
            var churners = Math.Min(started, MaxChurners);
            await server.WaitForConnectionCountAsync(Regulars, TimeSpan.FromSeconds(10));

            // Assert
            output.WriteLine($"{churners} churners in {elapsed.ElapsedMilliseconds} ms; regulars sent {string.Join(", ", sent)} messages");
            for (var r = 0; r < Regulars; r++)
            {
                var client = regulars[r];
                for (var other = 0; other < Regulars; other++)
                {
                    var last = Text(other, sent[other] - 1);
                    await client.ReceivedOrExpectAsync<MsgFrame>(m => m.Text == last);
                    var texts = client.Received<MsgFrame>().Where(m => m.From == $"regular{other}").Select(m => m.Text);
                    Assert.Equal(Enumerable.Range(0, sent[other]).Select(i => Text(other, i)), texts);
                }
                var seqs = client.Received<MsgFrame>().Select(m => m.Seq).ToList();
                Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs);
                // Everyone who was announced has been announced gone.
                await client.SendAsync(new WhoFrame(null));
                var who = await client.ExpectAsync<WhoReplyFrame>();
                Assert.Equal(Enumerable.Range(0, Regulars).Select(i => $"regular{i}"), who.Names);
                var joined = client.Received<JoinedFrame>().Select(j => j.Name).Where(n => n.StartsWith("churn", StringComparison.Ordinal)).ToHashSet();
                var left = client.Received<LeftFrame>().Select(l => l.Name).ToHashSet();
                Assert.Subset(left, joined);
            }
            Assert.True(churners >= 20, $"only {churners} churners ran");
            Assert.All(sent, n => Assert.True(n > 0, "a regular sent nothing during the churn"));
            await using (var newcomer = await JsonTestClient.JoinAsync(server, "newcomer"))
            {
                Assert.Equal(sent.Sum() + 1, await newcomer.SayAndWaitAsync("the server still takes newcomers"));
            }
        }
        finally
        {
            foreach (var client in regulars)
            {
                await client.DisposeAsync();
            }
        }
        await server.WaitForConnectionCountAsync(0, TimeSpan.FromSeconds(10));
        var after = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"managed heap before {before / 1024} KiB, after {after / 1024} KiB");
        Assert.True(after - before < AllowedGrowth, $"the managed heap grew by {(after - before) / 1024} KiB over the churn");
    }

    private static string Text(int regular, int index) => $"regular{regular} message {index.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Says one message after another, each once the previous is acknowledged, until told to stop; returns how many were sent.</summary>
    private static async Task<int> ChatUntilAsync(JsonTestClient client, int regular, CancellationToken stop)
    {
        await Task.Yield();
        var sent = 0;
        while (!stop.IsCancellationRequested && sent < MaxMessagesEach)
        {
            await client.SayAndWaitAsync(Text(regular, sent));
            sent++;
        }
        return sent;
    }

    /// <summary>One short-lived client, in one of four shapes, always ending in a reset with a line half sent.</summary>
    private static async Task ChurnOnceAsync(TestServer server, int n)
    {
        var name = $"churn{n}";
        await using var client = await JsonTestClient.ConnectAsync(server.Port);
        switch (n % 4)
        {
            case 0:
                // Hello, then a half-written say, without waiting for anything.
                await client.SendAsync(new HelloFrame(name, null, null, true, null));
                await client.SendBytesAsync("{\"type\":\"say\",\"text\":\"half a mess"u8.ToArray());
                break;
            case 1:
                // Welcomed first, so the regulars see it join and leave.
                await client.HelloAsync(name);
                await client.SendBytesAsync("{\"type\":\"say\",\"te"u8.ToArray());
                break;
            case 2:
                // The text dialect: a nickname and half a line.
                await client.SendBytesAsync(Encoding.UTF8.GetBytes($"{name}\nhalf a li"));
                break;
            default:
                // Never says hello at all: half a hello.
                await client.SendBytesAsync("{\"type\":\"hello\",\"na"u8.ToArray());
                break;
        }
        client.Reset();
    }
}
