using Microsoft.Extensions.Time.Testing;

namespace Sockchat.Tests.Infrastructure;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also tells when code under test has started a timer, so a
/// test advances the clock only once the timeout it means to trip is really waiting (advancing
/// earlier would move time before the timer exists, and it would never fire).
/// </summary>
internal sealed class WatchedClock : FakeTimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<TimeSpan> _started = [];
    private readonly List<(TimeSpan Due, TaskCompletionSource Started)> _waiting = [];
    private readonly List<(int Index, TaskCompletionSource<TimeSpan> Started)> _nth = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Watched(base.CreateTimer(callback, state, dueTime, period), this);
        Started(dueTime);
        return timer;
    }

    /// <summary>Completes once a timer has been set to fire after <paramref name="dueTime"/> (at once if one already was).</summary>
    public Task TimerStartedAsync(TimeSpan dueTime)
    {
        lock (_gate)
        {
            if (_started.Contains(dueTime))
            {
                return Task.CompletedTask;
            }
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add((dueTime, started));
            return started.Task;
        }
    }

    /// <summary>Completes with the due time of the timer started <paramref name="index"/>th (0-based; at once if it already was).</summary>
    public Task<TimeSpan> NthTimerStartedAsync(int index)
    {
        lock (_gate)
        {
            if (index < _started.Count)
            {
                return Task.FromResult(_started[index]);
            }
            var started = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
            _nth.Add((index, started));
            return started.Task;
        }
    }

    private void Started(TimeSpan dueTime)
    {
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            return;
        }
        lock (_gate)
        {
            _started.Add(dueTime);
            foreach (var waiter in _nth.Where(w => w.Index == _started.Count - 1).ToList())
            {
                waiter.Started.TrySetResult(dueTime);
                _nth.Remove(waiter);
            }
            foreach (var waiter in _waiting.Where(w => w.Due == dueTime).ToList())
            {
                waiter.Started.TrySetResult();
                _waiting.Remove(waiter);
            }
        }
    }

    /// <summary>A timer whose <see cref="Change"/> is reported once the fake clock holds the new due time.</summary>
    private sealed class Watched(ITimer inner, WatchedClock clock) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            clock.Started(dueTime);
            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
