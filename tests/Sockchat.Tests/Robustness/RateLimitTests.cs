using System.Diagnostics;
using System.Globalization;
using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Robustness;

/// <summary>The per-client token bucket: a burst past it is refused frame by frame, and flooding on regardless gets the client kicked.</summary>
public sealed class RateLimitTests(ITestOutputHelper output)
{
    private const int Burst = 5;
    private const int FloodAfter = 10;
    private const int MaxFrames = 4 * (Burst + FloodAfter);
    private static readonly TimeSpan FloodTimeLimit = TimeSpan.FromSeconds(10);
    private static readonly ServerOptions Options = new() { RateBurst = Burst, RatePerSecond = 1, FloodDisconnectAfter = FloodAfter };

    [Fact(Timeout = 15000)]
    public async Task The_say_after_a_full_burst_is_refused_rate_limited_with_its_id_and_reaches_nobody()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(Options, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await using var carol = await JsonTestClient.JoinAsync(server, "carol");
        var burst = Enumerable.Range(1, Burst + 1)
            .SelectMany(i => JsonCodec.Encode(new SayFrame(null, $"burst {i}", FrameId.FromString($"b{i}"))))
            .ToArray();

        // Act: all six in one write, so they arrive together.
        await alice.SendBytesAsync(burst);
        var refusal = await alice.ReceivedOrExpectAsync<ErrorFrame>(_ => true);
        // A message from someone else, stored after alice's burst: once bob has it, he has all he will get of hers.
        var markerSeq = await carol.SayAndWaitAsync("marker");
        await bob.ExpectAsync<MsgFrame>(m => m.Text == "marker");

        // Assert
        Assert.Equal((ErrorCodes.RateLimited, $"\"b{Burst + 1}\""), (refusal.Code, refusal.Id?.RawJson));
        Assert.Equal(Enumerable.Range(1, Burst).Select(i => $"burst {i}"), bob.Received<MsgFrame>().Where(m => m.From == "alice").Select(m => m.Text));
        Assert.Equal(Burst + 1, markerSeq);
        for (var i = 1; i <= Burst; i++)
        {
            await alice.ReceivedOrExpectAsync<AckFrame>(a => a.Id.Text == $"b{i}");
        }
    }

    [Fact(Timeout = 15000)]
    public async Task A_client_that_keeps_flooding_after_warnings_is_disconnected_and_others_see_left_kicked()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(Options, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await alice.ExpectAsync<JoinedFrame>(j => j.Name == "bob");
        var answers = new List<string>();

        // Act: one say at a time, each answered before the next, so nothing is left unread at the close.
        var elapsed = Stopwatch.StartNew();
        for (var i = 1; i <= MaxFrames && elapsed.Elapsed < FloodTimeLimit; i++)
        {
            var id = i.ToString(CultureInfo.InvariantCulture);
            await alice.SendAsync(new SayFrame(null, $"flood {i}", FrameId.FromString(id)));
            var answer = await alice.ExpectAsync<ServerFrame>(f => f is AckFrame a && a.Id.Text == id || f is ErrorFrame e && e.Id?.Text == id);
            answers.Add(answer is ErrorFrame error ? error.Code : "ack");
            if (answer is ErrorFrame { Message: var message } && message.Contains("disconnecting", StringComparison.Ordinal))
            {
                break;
            }
        }
        await alice.ExpectClosedAsync();

        // Assert
        output.WriteLine(string.Join(" ", answers));
        Assert.True(answers.Count < MaxFrames && answers[^1] == ErrorCodes.RateLimited, $"still connected after {answers.Count} frames in {elapsed.ElapsedMilliseconds} ms");
        Assert.Equal(Enumerable.Repeat(ErrorCodes.RateLimited, FloodAfter), answers.TakeLast(FloodAfter));
        Assert.True(answers.Count(a => a == "ack") >= Burst, $"the first {Burst} messages were not all accepted: {string.Join(" ", answers)}");
        var left = await bob.ExpectAsync<LeftFrame>(l => l.Name == "alice");
        Assert.Equal(LeaveReasons.Kicked, left.Reason);
    }
}
