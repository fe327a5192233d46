using System.Net;
using Microsoft.Extensions.Time.Testing;
using Sockchat.Server;

namespace Sockchat.Tests.Server;

/// <summary>
/// The server's time-driven rules as units, on a fake clock: the client rate (<see cref="TokenBucket"/>),
/// the password penalty (<see cref="AuthThrottle"/>) and the watchdog's period. The timers that act
/// on connections are tested end to end on a fake clock too: TimeoutTests (handshake deadline,
/// ping, idle drop), TextDialectTests (nickname prompt), PasswordTests (the penalty's wait),
/// PresenceBatchTests (the batch flush) and OutboxTests (the slow consumer's stall grace).
/// </summary>
public sealed class ServerTimerTests
{
    [Fact]
    public void A_full_bucket_allows_a_burst_then_refuses_until_time_refills_it()
    {
        // Arrange
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket();
        const int PerSecond = 10;
        const int Burst = 5;

        // Act
        var burst = Enumerable.Range(0, Burst).Count(_ => bucket.TryTake(time, PerSecond, Burst));
        var beyondBurst = bucket.TryTake(time, PerSecond, Burst);
        time.Advance(TimeSpan.FromMilliseconds(99));
        var beforeRefill = bucket.TryTake(time, PerSecond, Burst);
        time.Advance(TimeSpan.FromMilliseconds(1));
        var afterRefill = bucket.TryTake(time, PerSecond, Burst);

        // Assert
        Assert.Equal(Burst, burst);
        Assert.False(beyondBurst);
        Assert.False(beforeRefill);
        Assert.True(afterRefill);
    }

    [Fact]
    public void A_long_quiet_refills_the_bucket_only_up_to_the_burst()
    {
        // Arrange
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket();
        bucket.TryTake(time, 10, 3);

        // Act
        time.Advance(TimeSpan.FromHours(1));
        var taken = Enumerable.Range(0, 10).Count(_ => bucket.TryTake(time, 10, 3));

        // Assert
        Assert.Equal(3, taken);
    }

    [Fact]
    public void A_rate_of_zero_never_refuses()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket();

        Assert.All(Enumerable.Range(0, 1000), _ => Assert.True(bucket.TryTake(time, 0, 1)));
    }

    [Fact]
    public void The_password_penalty_doubles_per_failure_up_to_eight_seconds_and_is_forgotten_after_ten_quiet_minutes()
    {
        // Arrange
        var time = new FakeTimeProvider();
        var throttle = new AuthThrottle("pw", time);
        var address = IPAddress.Loopback;

        // Act
        var penalties = Enumerable.Range(0, 8).Select(_ => throttle.Fail(address)).ToList();
        time.Advance(TimeSpan.FromMinutes(10));
        var withinTenMinutes = throttle.Fail(address);
        time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        var afterQuiet = throttle.Fail(address);

        // Assert
        Assert.Equal([0.25, 0.5, 1, 2, 4, 8, 8, 8], penalties.Select(p => p.TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(8), withinTenMinutes);
        Assert.Equal(TimeSpan.FromMilliseconds(250), afterQuiet);
    }

    [Fact]
    public void A_success_clears_the_penalty_of_its_address_only()
    {
        // Arrange
        var time = new FakeTimeProvider();
        var throttle = new AuthThrottle("pw", time);
        var other = IPAddress.Parse("127.0.0.2");
        throttle.Fail(IPAddress.Loopback);
        throttle.Fail(IPAddress.Loopback);
        throttle.Fail(other);

        // Act
        throttle.Succeed(IPAddress.Loopback);

        // Assert
        Assert.Equal(TimeSpan.FromMilliseconds(250), throttle.Fail(IPAddress.Loopback));
        Assert.Equal(TimeSpan.FromMilliseconds(500), throttle.Fail(other));
    }

    [Theory]
    [InlineData(10, 60, 1, 1000)]      // the defaults: the nickname prompt sets the pace
    [InlineData(10, 60, 30, 2500)]     // a quarter of the handshake deadline
    [InlineData(0.3, 0.3, 30, 75)]
    [InlineData(0.1, 0.1, 30, 50)]     // never faster than 50 ms
    [InlineData(600, 600, 600, 5000)]  // never slower than 5 s
    public void The_one_watchdog_ticks_often_enough_for_the_shortest_deadline(double handshakeSeconds, double pingSeconds, double promptSeconds, int expectedMs)
    {
        var options = new ServerOptions
        {
            HandshakeTimeout = TimeSpan.FromSeconds(handshakeSeconds),
            PingInterval = TimeSpan.FromSeconds(pingSeconds),
            NicknamePromptDelay = TimeSpan.FromSeconds(promptSeconds),
        };

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), ClientSession.WatchdogPeriod(options));
    }
}
