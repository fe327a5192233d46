namespace Sockchat.Server.Cluster;

/// <summary>
/// Whether a node can use PostgreSQL, from what its loops last saw: healthy when the latest
/// outcome of any database operation (a batch stored, the listener connected, a heartbeat) was a
/// success. So a node recovers its health without waiting for chat traffic (a load balancer
/// sends none to a node whose <c>/healthz</c> is 503).
/// </summary>
public sealed class ClusterHealth
{
    private long _clock = 1, _lastOk = 1, _lastFailure;

    public bool Healthy => Volatile.Read(ref _lastOk) > Volatile.Read(ref _lastFailure);

    public void Succeeded() => Volatile.Write(ref _lastOk, Interlocked.Increment(ref _clock));

    public void Failed() => Volatile.Write(ref _lastFailure, Interlocked.Increment(ref _clock));
}
