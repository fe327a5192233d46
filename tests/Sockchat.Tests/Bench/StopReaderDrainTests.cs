using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sockchat.Bench;

namespace Sockchat.Tests.Bench;

/// <summary>
/// The slow-reader check (scenario e-slow): after the run, the generator reads what the server
/// still sends to the client that stopped reading and looks for the close behind it. A server
/// that drains its queue to such a client a slice at a time before closing leaves the kernel
/// buffer empty between slices; the check must wait for the close, not stop at the first gap.
/// </summary>
public sealed class StopReaderDrainTests
{
    private const int Slice = 16 * 1024;

    [Fact]
    public async Task A_server_that_sends_slices_with_pauses_and_then_closes_counts_as_having_disconnected_the_reader()
    {
        // Arrange: three 16 KiB slices 300 ms apart, then the close.
        using var listener = Listen();
        var server = ServeAsync(listener, slices: 3, pause: TimeSpan.FromMilliseconds(300), close: true);
        using var client = await ConnectedStoppedReaderAsync(listener);

        // Act
        var closed = client.DrainAndCheckClosed(64 << 20, TimeSpan.FromSeconds(5));

        // Assert
        Assert.True(closed);
        await server;
    }

    [Fact]
    public async Task A_server_that_keeps_the_connection_open_is_reported_as_not_disconnecting_it_once_the_deadline_passes()
    {
        // Arrange: slices, then silence with the connection left open.
        using var listener = Listen();
        using var release = new CancellationTokenSource();
        var server = ServeAsync(listener, slices: 2, pause: TimeSpan.FromMilliseconds(100), close: false, release.Token);
        using var client = await ConnectedStoppedReaderAsync(listener);
        var clock = Stopwatch.StartNew();

        // Act
        var closed = client.DrainAndCheckClosed(64 << 20, TimeSpan.FromSeconds(1));

        // Assert: not closed, and the answer came at the deadline, not long after it.
        Assert.False(closed);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 4);
        await release.CancelAsync();
        await server;
    }

    [Fact]
    public async Task A_deadline_shorter_than_the_pause_before_the_close_reports_the_connection_as_still_open()
    {
        // Arrange: the close comes 1.5 s after the last slice.
        using var listener = Listen();
        var server = ServeAsync(listener, slices: 1, pause: TimeSpan.FromMilliseconds(1500), close: true);
        using var client = await ConnectedStoppedReaderAsync(listener);

        // Act
        var closed = client.DrainAndCheckClosed(64 << 20, TimeSpan.FromMilliseconds(300));

        // Assert
        Assert.False(closed);
        await server;
    }

    private static TcpListener Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    private static async Task<BenchClient> ConnectedStoppedReaderAsync(TcpListener listener)
    {
        var latency = new LatencyRecorder();
        var client = new BenchClient(1, ChatDialect.Create("relay"), new DialectSession(1, false, null), new DeliveryTracker(1, 1, true),
            latency, 64, 4096, (_, _) => { });
        await client.ConnectAsync(listener.LocalEndpoint, null, TimeSpan.FromSeconds(5), CancellationToken.None, CancellationToken.None,
            kernelReceiveBuffer: 4096);
        Assert.Equal(ClientState.Handshaking, client.State);
        client.StopReading();
        return client;
    }

    private static async Task ServeAsync(TcpListener listener, int slices, TimeSpan pause, bool close, CancellationToken release = default)
    {
        using var socket = await listener.AcceptSocketAsync();
        var slice = new byte[Slice];
        Array.Fill(slice, (byte)'x');
        for (var i = 0; i < slices; i++)
        {
            await socket.SendAsync(slice, SocketFlags.None);
            await Task.Delay(pause);
        }
        if (!close)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(10), release);
            }
            catch (OperationCanceledException)
            {
                // The test has its answer.
            }
        }
        socket.Shutdown(SocketShutdown.Send);
    }
}
