using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Robustness;

/// <summary>The server password in both dialects, and the growing delay that slows down guessing from one address.</summary>
public sealed class PasswordTests(ITestOutputHelper output)
{
    private const string Password = "pw";
    private static readonly ServerOptions Options = new() { Password = Password };
    private static readonly TimeSpan FirstPenalty = TimeSpan.FromMilliseconds(250);

    [Theory(Timeout = 15000)]
    [InlineData(null)]
    [InlineData("wrong")]
    [InlineData("PW")]
    public async Task A_hello_without_the_right_password_is_answered_auth_failed_and_closed(string? password)
    {
        // Arrange
        await using var server = await TestServer.StartAsync(Options, output);
        await using var alice = await JsonTestClient.ConnectAsync(server.Port);

        // Act
        await alice.SendAsync(new HelloFrame("alice", null, password, true, null));

        // Assert
        var error = await alice.ExpectAsync<ErrorFrame>();
        Assert.Equal(ErrorCodes.AuthFailed, error.Code);
        await alice.ExpectClosedAsync();
        Assert.Empty(alice.Received<WelcomeFrame>());
    }

    [Fact(Timeout = 15000)]
    public async Task A_hello_with_the_right_password_is_welcomed()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(Options, output);
        await using var alice = await JsonTestClient.ConnectAsync(server.Port);

        // Act
        await alice.SendAsync(new HelloFrame("alice", null, Password, true, null));

        // Assert
        var welcome = await alice.ExpectAsync<WelcomeFrame>();
        Assert.Equal("alice", welcome.Name);
        Assert.Empty(alice.Received<ErrorFrame>());
    }

    [Fact(Timeout = 15000)]
    public async Task A_text_client_that_sends_pass_first_may_then_take_a_nickname()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(Options, output);
        await using var alice = await TextTestClient.ConnectAsync(server.Port);

        // Act
        await alice.SendLineAsync($"/pass {Password}");
        await alice.ExpectLineAsync(l => l.Contains("password accepted", StringComparison.Ordinal));
        await alice.SendLineAsync("alice");

        // Assert
        var welcome = await alice.ExpectLineAsync(l => l.Contains("welcome", StringComparison.Ordinal));
        Assert.Contains("alice", welcome);
        await alice.SendLineAsync("/who");
        Assert.Equal("* in #general (1): alice", await alice.ExpectLineAsync(l => l.StartsWith("* in #", StringComparison.Ordinal)));
    }

    [Theory(Timeout = 15000)]
    [InlineData("alice")]
    [InlineData("/pass wrong")]
    public async Task A_text_client_that_does_not_give_the_password_first_is_answered_auth_failed_and_closed(string firstLine)
    {
        // Arrange
        await using var server = await TestServer.StartAsync(Options, output);
        await using var alice = await TextTestClient.ConnectAsync(server.Port);

        // Act
        await alice.SendLineAsync(firstLine);

        // Assert
        var refusal = await alice.ExpectLineAsync(l => l.StartsWith('!'));
        Assert.StartsWith("! auth_failed:", refusal);
        await alice.ExpectClosedAsync();
        Assert.DoesNotContain(alice.Lines, l => l.Contains("welcome", StringComparison.Ordinal));
    }

    /// <summary>
    /// Each failure from an address doubles the wait before its answer (250, 500, 1000, 2000 ms), on a
    /// fake clock: the answer comes exactly when the penalty has passed, never a moment before.
    /// </summary>
    [Fact(Timeout = 20000)]
    public async Task Repeated_failures_from_one_address_are_answered_after_a_doubling_penalty_and_not_before()
    {
        // Arrange
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var server = await TestServer.StartAsync(Options, output, time);
        var tick = TimeSpan.FromMilliseconds(1);

        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var penalty = FirstPenalty * Math.Pow(2, attempt - 1);
            await using var guesser = await JsonTestClient.ConnectAsync(server.Port);
            await guesser.SendAsync(new HelloFrame("guesser", null, $"guess{attempt}", true, null));
            // The server logs the refusal once the penalty's wait has started.
            await WaitForAsync(() => server.Logs.Count(e => e.Message.EndsWith("refused: " + ErrorCodes.AuthFailed, StringComparison.Ordinal)) == attempt);

            // Act
            time.Advance(penalty - tick);
            var answeredEarly = guesser.Frames.Count;
            time.Advance(tick);
            var error = await guesser.ExpectAsync<ErrorFrame>();

            // Assert
            Assert.Equal(0, answeredEarly);
            Assert.Equal(ErrorCodes.AuthFailed, error.Code);
            await guesser.ExpectClosedAsync();
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
