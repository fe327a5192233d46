using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;

namespace Sockchat.Tests.Server;

/// <summary>The server's instruments (what the web port exports at /metrics) count what happened.</summary>
public sealed class MetricsTests
{
    [Fact(Timeout = 20000)]
    public async Task Connections_messages_and_bytes_are_counted_as_they_happen()
    {
        // Arrange
        await using var server = await TestServer.StartAsync();
        var totals = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this test's server: other tests run servers in the same process.
            if (instrument.Meter.Name == ServerMetrics.MeterName && instrument.Meter.Scope == server.Metrics)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name;
            foreach (var tag in tags)
            {
                key += $"|{tag.Key}={tag.Value}";
            }
            totals.AddOrUpdate(key, value, (_, old) => old + value);
        });
        listener.Start();
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");

        // Act
        await alice.SayAndWaitAsync("hello");
        await bob.ExpectAsync<Sockchat.Protocol.MsgFrame>(m => m.Text == "hello");

        // Assert
        Assert.Equal(2, totals.GetValueOrDefault("sockchat.connections|transport=tcp|dialect=json"));
        Assert.Equal(1, totals.GetValueOrDefault("sockchat.messages.received|kind=room"));
        Assert.Equal(2, totals.GetValueOrDefault("sockchat.messages.delivered"));
        Assert.True(totals.GetValueOrDefault("sockchat.bytes.received") > "hello".Length);
        Assert.True(totals.GetValueOrDefault("sockchat.bytes.sent") > 0);
    }
}
