using System.Text;
using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Robustness;

/// <summary>
/// Refused frames are not free (issue 9): a line over the limit, a bad or unknown frame, or one
/// the hub refuses spends a rate token and counts towards the refusal budget, and the warnings
/// about one client are bounded in the log.
/// </summary>
public sealed class RefusalTests(ITestOutputHelper output)
{
    private const int MaxLine = 1024;
    private const int RefuseAfter = 10;

    [Fact(Timeout = 15000)]
    public async Task Over_long_lines_in_a_row_get_the_client_kicked_and_only_a_few_warnings_reach_the_log()
    {
        // Arrange
        var options = new ServerOptions { MaxLineBytes = MaxLine, FloodDisconnectAfter = RefuseAfter, RatePerSecond = 0 };
        await using var server = await TestServer.StartAsync(options, output);
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await bob.ExpectAsync<JoinedFrame>(j => j.Name == "alice");
        // Exactly as many as the budget, in one write: the server has read them all when it closes.
        var lines = Enumerable.Range(0, RefuseAfter).SelectMany(_ => Encoding.ASCII.GetBytes(new string('x', 2 * MaxLine) + "\n")).ToArray();

        // Act
        await alice.SendBytesAsync(lines);
        await alice.ExpectClosedAsync();

        // Assert
        var errors = alice.Received<ErrorFrame>().ToList();
        Assert.Equal(Enumerable.Repeat(ErrorCodes.TooLong, RefuseAfter), errors.Select(e => e.Code));
        Assert.Contains("disconnecting", errors[^1].Message);
        Assert.Equal(LeaveReasons.Kicked, (await bob.ExpectAsync<LeftFrame>(l => l.Name == "alice")).Reason);
        await server.WaitForConnectionCountAsync(1);
        var logs = server.Logs.Select(e => e.Message).ToList();
        Assert.Equal(WarningThrottle.PerInterval, logs.Count(m => m.Contains("sent a line over", StringComparison.Ordinal)));
        Assert.Contains(logs, m => m.Contains("(alice): 6 more warnings about it were left out of the log", StringComparison.Ordinal));
    }

    [Fact(Timeout = 15000)]
    public async Task An_over_long_line_spends_a_rate_token_like_any_other_frame()
    {
        // Arrange
        const int Burst = 3;
        var options = new ServerOptions { MaxLineBytes = MaxLine, RateBurst = Burst, RatePerSecond = 1 };
        await using var server = await TestServer.StartAsync(options, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        var tooLong = Encoding.ASCII.GetBytes(new string('x', 2 * MaxLine) + "\n");
        byte[] burst = [.. Enumerable.Range(0, Burst).SelectMany(_ => tooLong), .. JsonCodec.Encode(new SayFrame(null, "one too many", FrameId.FromString("s1")))];

        // Act
        await alice.SendBytesAsync(burst);
        var refusal = await alice.ExpectAsync<ErrorFrame>(e => e.Id is not null);

        // Assert
        Assert.Equal((ErrorCodes.RateLimited, "s1"), (refusal.Code, refusal.Id?.Text));
        Assert.Equal(Burst, alice.Received<ErrorFrame>().Count(e => e.Code == ErrorCodes.TooLong));
        Assert.Empty(alice.Received<MsgFrame>());
    }

    [Theory(Timeout = 15000)]
    [InlineData("{\"type\":\"bogus\"}")]
    [InlineData("{\"type\":\"say\",\"text\":\"  \"}")]
    [InlineData("{\"type\":\"dm\",\"to\":\"nobody\",\"text\":\"hi\"}")]
    public async Task Refused_frames_in_a_row_get_the_client_kicked(string refused)
    {
        // Arrange
        var options = new ServerOptions { FloodDisconnectAfter = RefuseAfter, RatePerSecond = 0 };
        await using var server = await TestServer.StartAsync(options, output);
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await bob.ExpectAsync<JoinedFrame>(j => j.Name == "alice");

        // Act: one at a time, each answered before the next, so nothing is left unread at the close.
        for (var i = 0; i < RefuseAfter; i++)
        {
            await alice.SendBytesAsync(Encoding.UTF8.GetBytes(refused + "\n"));
            await alice.ExpectAsync<ErrorFrame>();
        }
        await alice.ExpectClosedAsync();

        // Assert
        Assert.Contains(alice.Received<ErrorFrame>(), e => e.Message.Contains("refused frames in a row; disconnecting", StringComparison.Ordinal));
        Assert.Equal(LeaveReasons.Kicked, (await bob.ExpectAsync<LeftFrame>(l => l.Name == "alice")).Reason);
    }

    [Fact(Timeout = 15000)]
    public async Task A_frame_that_is_handled_resets_the_refusal_count()
    {
        // Arrange
        var options = new ServerOptions { FloodDisconnectAfter = RefuseAfter, RatePerSecond = 0 };
        await using var server = await TestServer.StartAsync(options, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        var almost = Enumerable.Range(0, RefuseAfter - 1).SelectMany(_ => "{\"type\":\"bogus\"}\n"u8.ToArray()).ToArray();

        // Act
        await alice.SendBytesAsync(almost);
        await alice.SayAndWaitAsync("a good one");
        await alice.SendBytesAsync(almost);
        await alice.SayAndWaitAsync("still here");

        // Assert
        Assert.Equal(2 * (RefuseAfter - 1), alice.Received<ErrorFrame>().Count(e => e.Code == ErrorCodes.UnknownCommand));
        Assert.DoesNotContain(alice.Received<ErrorFrame>(), e => e.Message.Contains("disconnecting", StringComparison.Ordinal));
    }
}
