using Microsoft.Extensions.Time.Testing;
using Sockchat.Server;

namespace Sockchat.Tests.Server;

/// <summary>The per-connection bound on log warnings, on a fake clock.</summary>
public sealed class WarningThrottleTests
{
    [Fact]
    public void Only_the_first_few_warnings_of_an_interval_are_logged()
    {
        // Arrange
        var throttle = new WarningThrottle(new FakeTimeProvider());

        // Act
        var allowed = Enumerable.Range(0, 1000).Count(i => throttle.TryWarn(out _));

        // Assert
        Assert.Equal(WarningThrottle.PerInterval, allowed);
        Assert.Equal(1000 - WarningThrottle.PerInterval, throttle.TakeSuppressed());
        Assert.Equal(0, throttle.TakeSuppressed());
    }

    [Fact]
    public void The_first_warning_of_the_next_interval_reports_how_many_were_left_out()
    {
        // Arrange
        var clock = new FakeTimeProvider();
        var throttle = new WarningThrottle(clock);
        for (var i = 0; i < WarningThrottle.PerInterval + 7; i++)
        {
            throttle.TryWarn(out _);
        }

        // Act
        clock.Advance(WarningThrottle.Interval - TimeSpan.FromMilliseconds(1));
        var stillSuppressed = throttle.TryWarn(out _);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var allowed = throttle.TryWarn(out var suppressed);

        // Assert
        Assert.False(stillSuppressed);
        Assert.True(allowed);
        Assert.Equal(8, suppressed);
        Assert.Equal(0, throttle.TakeSuppressed());
    }

    [Fact]
    public void Nothing_is_reported_when_nothing_was_left_out()
    {
        // Arrange
        var throttle = new WarningThrottle(new FakeTimeProvider());

        // Act
        throttle.TryWarn(out var suppressed);

        // Assert
        Assert.Equal(0, suppressed);
        Assert.Equal(0, throttle.TakeSuppressed());
    }
}
