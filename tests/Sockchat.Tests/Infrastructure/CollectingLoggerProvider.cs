using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Sockchat.Tests.Infrastructure;

/// <summary>One log event the server wrote.</summary>
internal sealed record LogEntry(LogLevel Level, string Category, string Message, Exception? Exception)
{
    public override string ToString() =>
        $"{Level} {Category}: {Message}{(Exception is null ? "" : Environment.NewLine + Exception)}";
}

/// <summary>
/// Collects every log line of the server under test, and copies it to the test's output when
/// one is given, so a failing test shows what the server was doing. Owned by <see cref="TestServer"/>.
/// </summary>
internal sealed class CollectingLoggerProvider(ITestOutputHelper? output) : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => _entries.ToArray();

    public ILogger CreateLogger(string categoryName) => new CollectingLogger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(LogEntry entry)
    {
        _entries.Enqueue(entry);
        try
        {
            output?.WriteLine(entry.ToString());
        }
        catch (InvalidOperationException)
        {
            // The test has already finished; its output is closed. The entry is still collected.
        }
    }

    private sealed class CollectingLogger(CollectingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Add(new LogEntry(logLevel, category, formatter(state, exception), exception));
    }
}
