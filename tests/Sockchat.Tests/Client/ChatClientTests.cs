using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Sockchat.Client;
using Sockchat.Protocol;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Client;

/// <summary><see cref="ChatClient"/> against a real in-process server, and the ways connecting fails.</summary>
public sealed class ChatClientTests(ITestOutputHelper output)
{
    private static ClientOptions Options(int port, string name, bool presence = true) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        Name = name,
        Presence = presence,
        Timeout = TimeSpan.FromSeconds(5),
    };

    private static CancellationTokenSource Bounded() => new(TimeSpan.FromSeconds(10));

    [Fact(Timeout = 15000)]
    public async Task Connecting_completes_the_hello_and_keeps_the_welcome()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        using var cts = Bounded();

        // Act
        await using var client = await ChatClient.ConnectAsync(Options(server.Port, "alice"), since: null, cts.Token);

        // Assert
        Assert.Equal("alice", client.Welcome.Name);
        Assert.Equal(["general"], client.Welcome.Rooms);
        Assert.Contains("\"type\":\"welcome\"", client.WelcomeLine);
    }

    [Fact(Timeout = 15000)]
    public async Task A_connected_client_sends_and_receives_frames()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");
        using var cts = Bounded();
        await using var client = await ChatClient.ConnectAsync(Options(server.Port, "alice"), since: null, cts.Token);

        // Act
        await client.SendAsync(new SayFrame(null, "hello bob", FrameId.FromString("1")), cts.Token);
        await bob.SayAsync("hello alice");

        // Assert
        Assert.Equal("alice", (await bob.ExpectAsync<MsgFrame>(m => m.Text == "hello bob")).From);
        var received = new List<ServerFrame>();
        // The ack for alice's own message and bob's message race each other; wait for both.
        while (!received.Any(f => f is MsgFrame { Text: "hello alice" }) || !received.Any(f => f is AckFrame))
        {
            var line = await client.ReceiveAsync(cts.Token);
            Assert.NotNull(line);
            received.AddRange(line.Frame is null ? [] : [line.Frame]);
        }
        Assert.Contains(received, f => f is AckFrame { Id.Text: "1" });
    }

    [Fact(Timeout = 15000)]
    public async Task A_taken_name_raises_ChatRefusedException_with_code_name_taken()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        using var cts = Bounded();

        // Act
        var error = await Assert.ThrowsAsync<ChatRefusedException>(() => ChatClient.ConnectAsync(Options(server.Port, "Alice"), null, cts.Token));

        // Assert
        Assert.Equal(ErrorCodes.NameTaken, error.Code);
    }

    [Fact(Timeout = 15000)]
    public async Task Nothing_listening_raises_ChatServerUnreachableException_naming_the_address()
    {
        // Arrange
        var port = FreePort.WithNothingListening();
        using var cts = Bounded();

        // Act
        var error = await Assert.ThrowsAsync<ChatServerUnreachableException>(() => ChatClient.ConnectAsync(Options(port, "alice"), null, cts.Token));

        // Assert
        Assert.Contains($"127.0.0.1:{port}", error.Message);
        Assert.Contains("refused", error.Message);
        Assert.IsType<SocketException>(error.InnerException);
    }

    [Fact(Timeout = 15000)]
    public async Task A_server_that_accepts_but_never_answers_raises_ChatTimeoutException_once_the_timeout_has_passed()
    {
        // Arrange: a server that takes the hello and says nothing. The timeout runs on a fake clock,
        // and is longer than the test's own bound, so only the fake clock can trip it.
        await using var server = ScriptedServer.Start();
        using var cts = Bounded();
        var clock = new FakeTimeProvider();
        var options = Options(server.Port, "alice") with { Timeout = TimeSpan.FromMinutes(1) };
        var connecting = ChatClient.ConnectAsync(options, null, clock, cts.Token);
        await server.AcceptAsync(cts.Token);

        // Act
        clock.Advance(options.Timeout);
        var error = await Assert.ThrowsAsync<ChatTimeoutException>(() => connecting);

        // Assert
        Assert.Contains($"127.0.0.1:{server.Port}", error.Message);
        Assert.Contains("did not answer within 60 s", error.Message);
    }

    [Fact(Timeout = 15000)]
    public async Task A_welcome_just_inside_the_timeout_still_connects()
    {
        // Arrange
        await using var server = ScriptedServer.Start();
        using var cts = Bounded();
        var clock = new FakeTimeProvider();
        var options = Options(server.Port, "alice") with { Timeout = TimeSpan.FromMinutes(1) };
        var connecting = ChatClient.ConnectAsync(options, null, clock, cts.Token);
        await server.AcceptAsync(cts.Token);

        // Act
        clock.Advance(options.Timeout - TimeSpan.FromMilliseconds(1));
        await server.SendAsync(new WelcomeFrame("alice", "test", "0", ["general"], 4096, null), cts.Token);
        await using var client = await connecting;

        // Assert
        Assert.Equal("alice", client.Welcome.Name);
    }

    [Fact(Timeout = 15000)]
    public async Task ReceiveAsync_returns_null_once_the_server_has_closed_the_connection()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        using var cts = Bounded();
        await using var client = await ChatClient.ConnectAsync(Options(server.Port, "alice"), null, cts.Token);

        // Act
        await client.SendAsync(new QuitFrame(null), cts.Token);

        // Assert
        while (await client.ReceiveAsync(cts.Token) is not null)
        {
        }
    }

    [Fact(Timeout = 15000)]
    public async Task ReceiveAsync_frames_lines_however_the_bytes_arrive()
    {
        // Arrange: a scripted server that welcomes, then writes a line in two pieces, two lines in one
        // write (one ending in \r\n), a line 25 times the size of a read buffer, and a last line cut
        // off by the close.
        using var cts = Bounded();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var big = new string('x', 100_000);
        byte[] Msg(long seq, string text) => JsonCodec.Encode(new MsgFrame("general", seq, DateTimeOffset.UnixEpoch, "bob", text));
        var serving = Task.Run(async () =>
        {
            using var peer = await listener.AcceptSocketAsync(cts.Token);
            await using var stream = new NetworkStream(peer, ownsSocket: false);
            var one = new byte[1];
            while (await stream.ReadAsync(one, cts.Token) == 1 && one[0] != (byte)'\n')
            {
            }
            await stream.WriteAsync(JsonCodec.Encode(new WelcomeFrame("alice", "test", "0", ["general"], 1 << 20, null)), cts.Token);
            var first = Msg(1, "split");
            await stream.WriteAsync(first.AsMemory(0, 10), cts.Token);
            await Task.Delay(50, cts.Token);
            await stream.WriteAsync(first.AsMemory(10), cts.Token);
            var crlf = Msg(3, "crlf");
            byte[] two = [.. Msg(2, "together"), .. crlf.AsSpan(0, crlf.Length - 1), (byte)'\r', (byte)'\n'];
            await stream.WriteAsync(two, cts.Token);
            await stream.WriteAsync(Msg(4, big), cts.Token);
            await stream.WriteAsync("{\"type\":\"msg\""u8.ToArray(), cts.Token);
            peer.Shutdown(SocketShutdown.Send);
            // Hold the socket until the client has read everything and closes its side.
            while (await stream.ReadAsync(one, cts.Token) > 0)
            {
            }
        });

        // Act
        await using var client = await ChatClient.ConnectAsync(Options(port, "alice"), null, cts.Token);
        var texts = new List<string>();
        while (await client.ReceiveAsync(cts.Token) is { } line)
        {
            texts.Add(Assert.IsType<MsgFrame>(line.Frame).Text);
        }

        // Assert
        Assert.Equal(["split", "together", "crlf", big], texts);
        Assert.Null(await client.ReceiveAsync(cts.Token));
        await client.DisposeAsync();
        await serving;
    }
}
