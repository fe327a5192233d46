using System.Text;
using Sockchat.Protocol;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Robustness;

/// <summary>Other protocols on the chat port: a browser gets a short HTTP 400, a TLS client a silent close, and neither becomes a user.</summary>
public sealed class CrossProtocolTests(ITestOutputHelper output)
{
    [Theory(Timeout = 15000)]
    [InlineData("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n")]
    [InlineData("POST /login HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 7\r\n\r\nname=me")]
    [InlineData("HEAD /favicon.ico HTTP/1.1\r\n\r\n")]
    public async Task An_http_request_is_answered_400_and_closed_and_no_user_appears(string request)
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var browser = await RawConnection.ConnectAsync(server.Port);

        // Act
        await browser.SendAsync(Encoding.ASCII.GetBytes(request));
        var answer = await browser.ReadToEndAsync();

        // Assert
        Assert.StartsWith("HTTP/1.1 400 ", answer.Text);
        Assert.Contains("\r\nConnection: close\r\n", answer.Text);
        Assert.False(answer.WasReset, "the answer ended in a reset, not an orderly close");
        await alice.SendAsync(new WhoFrame(null));
        var who = await alice.ExpectAsync<WhoReplyFrame>();
        Assert.Equal(["alice"], who.Names);
        Assert.DoesNotContain(alice.Received<JoinedFrame>(), j => j.Name != "alice");
    }

    [Fact(Timeout = 15000)]
    public async Task A_tls_client_hello_on_the_plain_port_gets_nothing_but_a_close_and_others_are_still_served()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var tlsClient = await RawConnection.ConnectAsync(server.Port);
        // The start of a TLS 1.2 ClientHello: handshake record, version 3.1, then the hello itself.
        byte[] clientHello = [0x16, 0x03, 0x01, 0x00, 0x4A, 0x01, 0x00, 0x00, 0x46, 0x03, 0x03, .. Enumerable.Range(0, 32).Select(i => (byte)(i * 7)),
            0x00, 0x00, 0x04, 0x13, 0x01, 0x13, 0x02, 0x01, 0x00, 0x00, 0x19, 0x00, 0x00, 0x00, 0x0E, 0x00, 0x0C, 0x00, 0x00, 0x09,
            .. "127.0.0.1"u8];

        // Act
        await tlsClient.SendAsync(clientHello);
        var answer = await tlsClient.ReadToEndAsync();

        // Assert
        Assert.Empty(answer.Bytes);
        Assert.Equal(1, await alice.SayAndWaitAsync("still serving"));
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        await alice.SendAsync(new WhoFrame(null));
        Assert.Equal(["alice", "bob"], (await alice.ExpectAsync<WhoReplyFrame>()).Names);
        Assert.Contains(server.Logs, e => e.Message.Contains("spoke TLS on the chat port", StringComparison.Ordinal));
    }

    [Theory(Timeout = 15000)]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 1)]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 1000)]
    [InlineData("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 1)]
    public async Task An_http_request_or_http2_preface_in_any_split_is_answered_400_and_no_user_appears(string request, int bytesPerWrite)
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var browser = await RawConnection.ConnectAsync(server.Port);
        var bytes = Encoding.ASCII.GetBytes(request);

        // Act: the server answers at the request line's end and closes; a write after that may meet a reset, as a browser's would.
        for (var at = 0; at < bytes.Length; at += bytesPerWrite)
        {
            try
            {
                await browser.SendAsync(bytes.AsMemory(at, Math.Min(bytesPerWrite, bytes.Length - at)));
            }
            catch (System.Net.Sockets.SocketException ex) when (ex.SocketErrorCode is System.Net.Sockets.SocketError.ConnectionReset or System.Net.Sockets.SocketError.Shutdown)
            {
                break;
            }
        }
        var answer = await browser.ReadToEndAsync();

        // Assert
        Assert.StartsWith("HTTP/1.1 400 ", answer.Text);
        await alice.SendAsync(new WhoFrame(null));
        Assert.Equal(["alice"], (await alice.ExpectAsync<WhoReplyFrame>()).Names);
        Assert.DoesNotContain(alice.Received<JoinedFrame>(), j => j.Name != "alice");
    }

    [Theory(Timeout = 15000)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_tls_client_hello_split_after_any_byte_is_still_recognised(int firstWriteBytes)
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var tlsClient = await RawConnection.ConnectAsync(server.Port);
        byte[] clientHello = [0x16, 0x03, 0x01, 0x00, 0x2E, 0x01, 0x00, 0x00, 0x2A, 0x03, 0x03, .. Enumerable.Range(0, 32).Select(i => (byte)(i * 7))];

        // Act: the first bytes one write at a time, each alone on the wire before the next.
        for (var at = 0; at < firstWriteBytes; at++)
        {
            await tlsClient.SendAsync(clientHello.AsMemory(at, 1));
            await alice.SyncAsync();
        }
        await tlsClient.SendAsync(clientHello.AsMemory(firstWriteBytes));
        var answer = await tlsClient.ReadToEndAsync();

        // Assert
        Assert.Empty(answer.Bytes);
        Assert.Contains(server.Logs, e => e.Message.Contains("spoke TLS on the chat port", StringComparison.Ordinal));
        await alice.SendAsync(new WhoFrame(null));
        Assert.Equal(["alice"], (await alice.ExpectAsync<WhoReplyFrame>()).Names);
    }
}
