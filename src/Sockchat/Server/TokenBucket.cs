namespace Sockchat.Server;

/// <summary>
/// A client's rate: a bucket of <c>burst</c> tokens that refills at <c>perSecond</c> tokens a
/// second, on the server's <see cref="TimeProvider"/> (tests use a fake clock). A value in the
/// session, not an object: no timer and no allocation per connection; the refill is computed
/// from the time since the last frame. Used by one thread at a time (the session's read loop).
/// </summary>
public struct TokenBucket
{
    private double _tokens;
    private long _stamp;
    private bool _started;

    /// <summary>Takes a token for one frame: false when the bucket is empty (the client is over its rate). A rate of 0 or less: no limit.</summary>
    public bool TryTake(TimeProvider time, int perSecond, int burst)
    {
        if (perSecond <= 0)
        {
            return true;
        }
        var now = time.GetTimestamp();
        var capacity = Math.Max(1, burst);
        _tokens = _started
            ? Math.Min(capacity, _tokens + time.GetElapsedTime(_stamp, now).TotalSeconds * perSecond)
            : capacity;
        _started = true;
        _stamp = now;
        if (_tokens < 1)
        {
            return false;
        }
        _tokens--;
        return true;
    }
}
