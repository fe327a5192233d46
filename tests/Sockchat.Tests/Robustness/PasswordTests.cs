using System.Diagnostics;
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

    /// <summary>Measures behaviour (each failure from an address doubles the wait: 250, 500, 1000, 2000 ms), not speed.</summary>
    [Fact(Timeout = 20000)]
    public async Task Repeated_failures_from_one_address_are_answered_more_and_more_slowly()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(Options, output);
        var delays = new List<TimeSpan>();

        // Act
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            await using var guesser = await JsonTestClient.ConnectAsync(server.Port);
            var elapsed = Stopwatch.StartNew();
            await guesser.SendAsync(new HelloFrame("guesser", null, $"guess{attempt}", true, null));
            var error = await guesser.ExpectAsync<ErrorFrame>(within: TimeSpan.FromSeconds(6));
            delays.Add(elapsed.Elapsed);
            Assert.Equal(ErrorCodes.AuthFailed, error.Code);
            await guesser.ExpectClosedAsync();
        }

        // Assert
        output.WriteLine("answered after " + string.Join(", ", delays.Select(d => $"{d.TotalMilliseconds:0} ms")));
        Assert.True(delays[0] >= FirstPenalty - TimeSpan.FromMilliseconds(20), $"the first failure was answered after {delays[0].TotalMilliseconds:0} ms");
        Assert.True(delays[3] >= 4 * FirstPenalty, $"the fourth failure was answered after {delays[3].TotalMilliseconds:0} ms, not at least 4 x {FirstPenalty.TotalMilliseconds} ms");
        Assert.True(delays[3] > delays[0], "the fourth failure was not answered more slowly than the first");
    }
}
