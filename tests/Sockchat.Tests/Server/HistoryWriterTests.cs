using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;

namespace Sockchat.Tests.Server;

/// <summary>
/// <see cref="HistoryWriter"/> driven directly: a batch the store rejects is reported and the loop
/// goes on, and retention runs on the loop each time the trim interval passes.
/// </summary>
public sealed class HistoryWriterTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private HistoryOptions Options(int maxPerRoom = 10_000) => new() { Path = Path.Combine(_data.Path, "history.db"), MaxMessagesPerRoom = maxPerRoom };

    // The writer never looks at the sender; the hub does, in its Stored handler.
    private static PendingMessage Pending(long seq, string? text = null) =>
        new(new MsgFrame("general", seq, T0.AddSeconds(seq), "alice", text ?? $"m{seq}"), null!, null);

    private static async Task<List<long>> SeqsAsync(SqliteHistoryStore store)
    {
        using var timeout = new CancellationTokenSource(LineConnection.DefaultWait);
        var messages = await store.QueryAsync("general", before: null, after: null, int.MaxValue, long.MaxValue, timeout.Token);
        return [.. messages.Select(m => m.Seq)];
    }

    [Fact(Timeout = 15000)]
    public async Task A_batch_the_store_rejects_is_reported_failed_with_the_sqlite_error_and_the_next_is_stored()
    {
        // Arrange
        var options = Options();
        await using var store = SqliteHistoryStore.Open(options);
        store.Append([Pending(1).Message]);
        var writer = new HistoryWriter(store, options, TimeProvider.System, NullLogger.Instance);
        var running = writer.RunAsync();

        // Act
        writer.TryEnqueue(Pending(1, "a seq already stored"));
        var failed = await writer.Stored.ReadAsync().AsTask().WaitAsync(LineConnection.DefaultWait);
        writer.TryEnqueue(Pending(2));
        writer.Complete();
        await running.WaitAsync(LineConnection.DefaultWait);
        var error = failed.Failure;
        var stored = new List<long>();
        await foreach (var batch in writer.Stored.ReadAllAsync().WithCancellation(CancellationToken.None))
        {
            stored.AddRange(batch.Items.OfType<PendingMessage>().Where(_ => batch.Failure is null).Select(p => p.Message.Seq));
        }

        // Assert
        Assert.Equal(19, Assert.IsType<SqliteException>(error).SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Equal([2L], stored);
        Assert.Equal([1L, 2L], await SeqsAsync(store));
    }

    [Fact(Timeout = 15000)]
    public async Task Retention_runs_on_the_writer_loop_each_time_the_trim_interval_passes()
    {
        // Arrange
        var options = Options(maxPerRoom: 5);
        await using var store = SqliteHistoryStore.Open(options);
        var clock = new ManualTimerClock();
        var writer = new HistoryWriter(store, options, clock, NullLogger.Instance);
        var running = writer.RunAsync();
        for (var seq = 1; seq <= 12; seq++)
        {
            writer.TryEnqueue(Pending(seq));
        }

        // Act
        clock.Fire();
        var kept = await PollAsync(() => SeqsAsync(store), seqs => seqs.Count == 5);
        writer.Complete();
        await running.WaitAsync(LineConnection.DefaultWait);

        // Assert
        Assert.Equal(options.TrimInterval, clock.Period);
        Assert.Equal([8L, 9L, 10L, 11L, 12L], kept);
        Assert.True(clock.Stopped, "the trim timer outlived the writer loop");
    }

    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        using var timeout = new CancellationTokenSource(LineConnection.DefaultWait);
        while (true)
        {
            var value = await read();
            if (done(value) || timeout.IsCancellationRequested)
            {
                return value;
            }
            await Task.Delay(10);
        }
    }

    /// <summary>A clock whose only timer fires when the test says so.</summary>
    private sealed class ManualTimerClock : TimeProvider
    {
        private TimerCallback? _callback;
        private object? _state;

        public TimeSpan Period { get; private set; }

        public bool Stopped { get; private set; }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            (_callback, _state, Period) = (callback, state, period);
            return new Timer(this);
        }

        public void Fire() => _callback!(_state);

        private sealed class Timer(ManualTimerClock clock) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose() => clock.Stopped = true;

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }
}
