namespace Sockchat.Server;

/// <summary>
/// Bounds the warnings one connection can write to the server's log (issue 9: one client sending
/// over-long lines wrote 350,000 warnings in 5 s). In each <see cref="Interval"/> at most
/// <see cref="PerInterval"/> warnings go out; later ones are only counted, and the first warning
/// allowed after that (or the end of the session, through <see cref="TakeSuppressed"/>) reports
/// how many were left out, so the log never hides that something went on.
/// Owned by one <see cref="ClientSession"/>; safe from any thread (the read loop and the watchdog both warn).
/// </summary>
public sealed class WarningThrottle(TimeProvider time)
{
    public const int PerInterval = 5;
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly Lock _sync = new();
    private long _windowStart = time.GetTimestamp();
    private int _inWindow;
    private long _suppressed;

    /// <summary>
    /// True when this warning may be logged. <paramref name="suppressedBefore"/> is how many were
    /// left out since the last report: log that first when it is not zero.
    /// </summary>
    public bool TryWarn(out long suppressedBefore)
    {
        lock (_sync)
        {
            if (time.GetElapsedTime(_windowStart) >= Interval)
            {
                _windowStart = time.GetTimestamp();
                _inWindow = 0;
            }
            if (_inWindow >= PerInterval)
            {
                _suppressed++;
                suppressedBefore = 0;
                return false;
            }
            _inWindow++;
            suppressedBefore = _suppressed;
            _suppressed = 0;
            return true;
        }
    }

    /// <summary>How many warnings were left out and not yet reported (the session is ending: report them now).</summary>
    public long TakeSuppressed()
    {
        lock (_sync)
        {
            var suppressed = _suppressed;
            _suppressed = 0;
            return suppressed;
        }
    }
}
