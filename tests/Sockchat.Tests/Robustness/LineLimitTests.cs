using System.Text;
using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Robustness;

/// <summary>The line limit over real sockets: an over-long line costs only that line; streaming far past it costs the connection.</summary>
public sealed class LineLimitTests(ITestOutputHelper output)
{
    private const int MaxLine = 1024;
    private const int Factor = 4;
    private static readonly ServerOptions Options = new() { MaxLineBytes = MaxLine, OverlongDisconnectFactor = Factor };

    [Fact(Timeout = 15000)]
    public async Task A_json_line_over_the_limit_arriving_in_pieces_is_answered_too_long_and_the_next_line_is_delivered()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(Options, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        var piece = Encoding.ASCII.GetBytes(new string('x', 700));

        // Act: 2100 bytes in three writes, then the newline and a good line in one more.
        for (var i = 0; i < 3; i++)
        {
            await alice.SendBytesAsync(piece);
        }
        byte[] newlineThenGoodLine = [(byte)'\n', .. JsonCodec.Encode(new SayFrame(null, "still here", null))];
        await alice.SendBytesAsync(newlineThenGoodLine);

        // Assert
        var error = await alice.ExpectAsync<ErrorFrame>();
        Assert.Equal(ErrorCodes.TooLong, error.Code);
        var message = await bob.ExpectAsync<MsgFrame>();
        Assert.Equal(("alice", "still here", 1L), (message.From, message.Text, message.Seq));
    }

    [Fact(Timeout = 15000)]
    public async Task A_text_line_over_the_limit_is_answered_too_long_and_the_next_line_is_delivered()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(Options, output);
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await using var alice = await TextTestClient.JoinAsync(server, "alice");

        // Act
        await alice.SendLineAsync(new string('y', 2 * MaxLine));
        await alice.SendLineAsync("still here");

        // Assert
        var refusal = await alice.ExpectLineAsync(l => l.StartsWith('!'));
        Assert.StartsWith("! too_long:", refusal);
        await alice.ExpectLineAsync(l => l.EndsWith("] alice: still here", StringComparison.Ordinal));
        var message = await bob.ExpectAsync<MsgFrame>();
        Assert.Equal(("alice", "still here"), (message.From, message.Text));
    }

    [Theory(Timeout = 15000)]
    [InlineData(Dialect.Json)]
    [InlineData(Dialect.Text)]
    public async Task Streaming_past_the_overlong_factor_without_a_newline_is_answered_too_long_then_closed_and_others_see_kicked(Dialect dialect)
    {
        // Arrange
        await using var server = await TestServer.StartAsync(Options, output);
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await using LineConnection alice = dialect == Dialect.Json
            ? await JsonTestClient.JoinAsync(server, "alice")
            : await TextTestClient.JoinAsync(server, "alice");
        await bob.ExpectAsync<JoinedFrame>(j => j.Name == "alice");
        // One byte past the threshold in all, so the server has read everything when it closes
        // (unread bytes would make the close a reset, which could swallow the error line).
        var stream = Encoding.ASCII.GetBytes(new string('z', Factor * MaxLine + 1));

        // Act
        for (var at = 0; at < stream.Length; at += 512)
        {
            await alice.SendBytesAsync(stream.AsMemory(at, Math.Min(512, stream.Length - at)));
        }

        // Assert
        await alice.ExpectClosedAsync();
        var errors = alice.Lines.Where(l => l.Contains("too_long", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count >= 1, $"no too_long error before the close; received: {string.Join(" | ", alice.Lines)}");
        Assert.Contains("disconnecting", errors[^1]);
        var left = await bob.ExpectAsync<LeftFrame>(l => l.Name == "alice");
        Assert.Equal(LeaveReasons.Kicked, left.Reason);
        Assert.Empty(bob.Received<MsgFrame>());
    }
}
