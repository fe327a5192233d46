using System.Net;
using System.Net.Sockets;

namespace Sockchat.Tests.Cluster;

/// <summary>
/// A loopback TCP relay between a node and PostgreSQL that a test can cut (every connection
/// dropped, new ones refused: what a node sees when its database goes away) and restore. Owns
/// its accept loop and every relay task, and awaits them on dispose.
/// </summary>
internal sealed class CuttableProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly Lock _gate = new();
    private readonly List<(TcpClient A, TcpClient B, Task Relay)> _pairs = [];
    private readonly CancellationTokenSource _stop = new();
    private TcpListener _listener;
    private Task _accepting;

    public CuttableProxy(string host, int port)
    {
        _target = new IPEndPoint(IPAddress.Parse(host), port);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync(_listener);
    }

    public int Port { get; }

    /// <summary>Drops every relayed connection and refuses new ones until <see cref="RestoreAsync"/>.</summary>
    public async Task CutAsync()
    {
        _listener.Stop();
        await _accepting;
        List<(TcpClient A, TcpClient B, Task Relay)> pairs;
        lock (_gate)
        {
            pairs = [.. _pairs];
            _pairs.Clear();
        }
        foreach (var (a, b, _) in pairs)
        {
            a.Client.LingerState = new LingerOption(true, 0);
            a.Dispose();
            b.Dispose();
        }
        await Task.WhenAll(pairs.Select(p => p.Relay));
    }

    /// <summary>Accepts again, on the same port.</summary>
    public void Restore()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _accepting = AcceptAsync(_listener);
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            var server = new TcpClient();
            try
            {
                await server.ConnectAsync(_target);
            }
            catch (SocketException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }
            var relay = Task.WhenAll(PumpAsync(client, server), PumpAsync(server, client));
            lock (_gate)
            {
                _pairs.Add((client, server, relay));
            }
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            var source = from.GetStream();
            var sink = to.GetStream();
            int read;
            while ((read = await source.ReadAsync(buffer)) > 0)
            {
                await sink.WriteAsync(buffer.AsMemory(0, read));
            }
            to.Client?.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The other side went away, or the test cut the relay.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await CutAsync();
        _stop.Dispose();
    }
}
