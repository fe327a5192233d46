namespace Sockchat.Server;

/// <summary>
/// Fan-out in bulk. While a batch is open on a thread, deliveries made on that thread queue
/// their bytes without waking each recipient's write loop; closing the batch (after the hub's
/// lock is released, so no I/O happens under it) sends to every touched session once, inline,
/// with one non-blocking write each. A burst of stored messages to a hundred members thus costs
/// a hundred writes, not a hundred per message, and no thread-pool hop per recipient. Opened by
/// the hub around each stored batch: <c>using (DeliveryBatch.Begin()) { lock (...) { ... } }</c>.
/// </summary>
public sealed class DeliveryBatch : IDisposable
{
    [ThreadStatic] private static DeliveryBatch? t_current;
    [ThreadStatic] private static DeliveryBatch? t_spare;
    private static long s_lastId;

    private readonly List<ClientSession> _touched = [];
    private long _id;

    private DeliveryBatch()
    {
    }

    /// <summary>The batch open on this thread, if any.</summary>
    public static DeliveryBatch? Current => t_current;

    /// <summary>Opens a batch on this thread (batches do not nest).</summary>
    public static DeliveryBatch Begin()
    {
        if (t_current is not null)
        {
            throw new InvalidOperationException("a delivery batch is already open on this thread");
        }
        var batch = t_spare ?? new DeliveryBatch();
        t_spare = null;
        batch._id = Interlocked.Increment(ref s_lastId);
        t_current = batch;
        return batch;
    }

    /// <summary>Records that <paramref name="session"/> has bytes queued by this batch. Called under the hub's lock.</summary>
    public void Touch(ClientSession session)
    {
        if (session.BatchStamp != _id)
        {
            session.BatchStamp = _id;
            _touched.Add(session);
        }
    }

    /// <summary>Closes the batch and sends to every touched session.</summary>
    public void Dispose()
    {
        t_current = null;
        foreach (var session in _touched)
        {
            session.FlushNow();
        }
        _touched.Clear();
        t_spare = this;
    }
}
