using System.Net;
using System.Net.Sockets;
using Xunit.Sdk;

namespace Sockchat.Tests.Infrastructure;

/// <summary>What a <see cref="RawConnection"/> read up to the end of the connection.</summary>
/// <param name="Bytes">Every byte received, in order.</param>
/// <param name="WasReset">True when the connection ended with a reset (RST) rather than an orderly close (FIN).</param>
internal sealed record RawReceipt(byte[] Bytes, bool WasReset)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Bytes);
}

/// <summary>
/// A bare socket to a test server that speaks no dialect at all: for clients that are not chat
/// clients (a browser, a TLS client) and for checking exactly which bytes the server sends and how
/// the connection ends. Every wait is bounded.
/// </summary>
internal sealed class RawConnection : IAsyncDisposable
{
    private readonly Socket _socket;

    private RawConnection(Socket socket) => _socket = socket;

    public static async Task<RawConnection> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(LineConnection.DefaultWait);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new RawConnection(socket);
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        using var timeout = new CancellationTokenSource(LineConnection.DefaultWait);
        await _socket.SendAsync(bytes, SocketFlags.None, timeout.Token);
    }

    /// <summary>Reads until the server closes the connection; fails if it is still open after <paramref name="within"/> or sends more than <paramref name="maxBytes"/>.</summary>
    public async Task<RawReceipt> ReadToEndAsync(TimeSpan? within = null, int maxBytes = 1024 * 1024)
    {
        var limit = within ?? LineConnection.DefaultWait;
        using var timeout = new CancellationTokenSource(limit);
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            while (received.Length <= maxBytes)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (n == 0)
                {
                    return new RawReceipt(received.ToArray(), WasReset: false);
                }
                received.Write(buffer, 0, n);
            }
            throw new XunitException($"the server sent more than {maxBytes} bytes without closing");
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return new RawReceipt(received.ToArray(), WasReset: true);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new XunitException($"the server did not close the connection within {limit.TotalSeconds} s; received {received.Length} bytes");
        }
    }

    /// <summary>Closes at once with a reset (linger 0), as a crashed client does.</summary>
    public void Reset()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
