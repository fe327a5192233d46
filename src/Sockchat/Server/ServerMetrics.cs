using System.Diagnostics.Metrics;

namespace Sockchat.Server;

/// <summary>
/// The server's instruments (System.Diagnostics.Metrics), on a meter named <see cref="MeterName"/>
/// that the web port exports at <c>/metrics</c> in the Prometheus text format. Cheap when nobody
/// listens; on the hot path there is at most one <c>Add</c> per read, per write and per broadcast,
/// never one per recipient. One per <see cref="ChatServer"/>, disposed with it.
/// </summary>
public sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "Sockchat";

    private readonly Meter _meter;
    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _messagesIn;
    private readonly Counter<long> _messagesOut;
    private readonly Counter<long> _bytesIn;
    private readonly Counter<long> _bytesOut;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _slowDrops;
    private readonly Histogram<double> _historyWrite;
    private readonly Counter<long> _streamReads;

    /// <param name="queuedBytes">The bytes queued for all clients now (observed at each collection).</param>
    public ServerMetrics(string version, Func<long> queuedBytes)
    {
        // Scoped to this instance, so that a listener can tell two servers in one process apart (tests).
        _meter = new Meter(new MeterOptions(MeterName) { Version = version, Scope = this });
        _connections = _meter.CreateUpDownCounter<long>("sockchat.connections", "{connection}", "Open chat connections, by transport and dialect");
        _messagesIn = _meter.CreateCounter<long>("sockchat.messages.received", "{message}", "Messages accepted from clients (kind: room or dm)");
        _messagesOut = _meter.CreateCounter<long>("sockchat.messages.delivered", "{message}", "Messages queued to recipients (one per recipient)");
        _bytesIn = _meter.CreateCounter<long>("sockchat.bytes.received", "By", "Bytes read from clients");
        _bytesOut = _meter.CreateCounter<long>("sockchat.bytes.sent", "By", "Bytes written to clients");
        _rateLimited = _meter.CreateCounter<long>("sockchat.rate_limited", "{frame}", "Frames refused for going over the client's rate");
        _slowDrops = _meter.CreateCounter<long>("sockchat.slow_disconnects", "{connection}", "Clients disconnected for not reading (slow)");
        _streamReads = _meter.CreateCounter<long>("sockchat.cluster.stream_reads", "{read}",
            "Cluster mode: reads of a room's stream back from PostgreSQL by the fan-out, for what it could not deliver from a notification (one missed, a long message's pointer); none while the node keeps up");
        _historyWrite = _meter.CreateHistogram<double>("sockchat.history.write.duration", "s", "Time to store one batch of messages (one transaction)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });
        _meter.CreateObservableGauge("sockchat.outbox.queued_bytes", queuedBytes, "By", "Bytes queued for clients and not yet written");
    }

    public void ConnectionOpened(string transport, Dialect dialect) => _connections.Add(1, Tags(transport, dialect));

    public void ConnectionClosed(string transport, Dialect dialect) => _connections.Add(-1, Tags(transport, dialect));

    /// <summary>The first line told the dialect: the connection moves from <c>undecided</c>.</summary>
    public void DialectDecided(string transport, Dialect dialect)
    {
        _connections.Add(-1, Tags(transport, Dialect.Undecided));
        _connections.Add(1, Tags(transport, dialect));
    }

    public void MessageReceived(bool direct) => _messagesIn.Add(1, new KeyValuePair<string, object?>("kind", direct ? "dm" : "room"));

    public void MessagesDelivered(int recipients) => _messagesOut.Add(recipients);

    public void BytesReceived(int count) => _bytesIn.Add(count);

    public void BytesSent(long count) => _bytesOut.Add(count);

    public void RateLimited() => _rateLimited.Add(1);

    public void SlowDisconnect() => _slowDrops.Add(1);

    public void StreamRead() => _streamReads.Add(1);

    public void HistoryWritten(TimeSpan took) => _historyWrite.Record(took.TotalSeconds);

    private static KeyValuePair<string, object?>[] Tags(string transport, Dialect dialect) =>
    [
        new("transport", transport),
        new("dialect", dialect switch { Dialect.Json => "json", Dialect.Text => "text", _ => "undecided" }),
    ];

    public void Dispose() => _meter.Dispose();
}
