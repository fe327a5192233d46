using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Sockchat.Bench;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Sockchat.Web;

namespace Sockchat.Tests.Bench;

/// <summary>
/// Seconds-long chat runs with <c>--chat-rooms</c> (bench/cluster.sh's stored-rooms) against an
/// in-process server on 127.0.0.1: each message is expected at the members of its sender's room,
/// and a server that delivers it to everyone is caught delivering it where it should not.
/// </summary>
public sealed class ChatRoomsSmokeTests
{
    // Every client comes from 127.0.0.1, and the senders send as fast as they can.
    private static readonly ServerOptions Unlimited = new() { MaxConnectionsPerAddress = 0, RatePerSecond = 0 };

    [Fact(Timeout = 60000)]
    public async Task Forty_json_clients_in_eight_rooms_each_get_the_messages_of_their_own_rooms_senders_only()
    {
        // Arrange: rooms idle0..idle7 of 5 clients each, every client a sender.
        await using var server = await TestServer.StartAsync(Unlimited);
        var options = BenchOptionsParser.Parse(Args(server.Port, "--clients", "40", "--senders", "40", "--messages", "20", "--chat-rooms", "8"));
        using var generator = new LoadGenerator(options, TextWriter.Null);

        // Act
        var report = await generator.RunAsync();

        // Assert: each message reached the 4 other members of its room, and nobody else (that would count as duplicated).
        Assert.Equal("complete", report.Status);
        Assert.Equal(8, report.ChatRooms);
        Assert.Equal(40L * 20 * 4, report.Expected);
        Assert.Equal(report.Expected, report.Received);
        Assert.Equal(0, report.Lost);
        Assert.Equal(0, report.Duplicated);
        Assert.Equal(0, report.Spliced);
    }

    [Fact(Timeout = 60000)]
    public async Task A_server_that_gives_every_message_to_everyone_is_reported_lossy_with_the_extra_deliveries_as_duplicated()
    {
        // Arrange: the text dialect joins no room (the parser refuses it with --chat-rooms; set here on purpose), so all 12
        // clients share #general and every message reaches all 11 others, where only the 2 others of its "room" expect it.
        await using var server = await TestServer.StartAsync(Unlimited);
        var options = BenchOptionsParser.Parse(Args(server.Port, "--dialect", "text", "--clients", "12", "--senders", "4", "--messages", "10"))
            with { ChatRooms = 4 };
        using var generator = new LoadGenerator(options, TextWriter.Null);

        // Act
        var report = await generator.RunAsync();

        // Assert
        Assert.Equal("lossy", report.Status);
        Assert.Equal(4L * 10 * 2, report.Expected);
        Assert.Equal(report.Expected, report.Received);
        Assert.Equal(0, report.Lost);
        // The run ends once every expected delivery is in, so the misrouted copies still on their way then are not counted.
        Assert.InRange(report.Duplicated, 1, 4L * 10 * 9);
        Assert.Equal(0, report.Spliced);
    }

    [Fact(Timeout = 60000)]
    public async Task Web_and_tcp_clients_in_rooms_are_each_expected_to_get_their_rooms_messages()
    {
        // Arrange: 20 clients in 4 rooms, every other one on the WebSocket, senders 0..7 (2 per room).
        await using var server = await TestServer.StartAsync(Unlimited);
        await using var web = await StartWebAsync(server);
        var options = BenchOptionsParser.Parse(Args(server.Port, "--web-url", web.Url.ToString(), "--web-clients", "10",
            "--clients", "20", "--senders", "8", "--messages", "25", "--chat-rooms", "4"));
        using var generator = new LoadGenerator(options, TextWriter.Null);

        // Act
        var report = await generator.RunAsync();

        // Assert: a room's 5 members include its 2 senders; each member expects the room's senders but itself.
        Assert.Equal("complete", report.Status);
        Assert.Equal(8L * 25 * 4, report.Expected);
        var (webGroup, tcpGroup) = (report.Web!, report.Tcp!);
        Assert.Equal(report.Expected, webGroup.Expected + tcpGroup.Expected);
        Assert.Equal(webGroup.Expected, webGroup.Received);
        Assert.Equal(tcpGroup.Expected, tcpGroup.Received);
        Assert.Equal(0, report.Duplicated);
    }

    private static async Task<WebFrontEnd> StartWebAsync(TestServer server)
    {
        var web = new WebFrontEnd(new WebFrontEndOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, NullLoggerFactory.Instance,
            () => server.Server.Accepting, (socket, batch, remote, _) => WebSessions.RunAsync(server.Server, socket, batch, remote));
        await web.StartAsync(CancellationToken.None);
        return web;
    }

    private static string[] Args(int port, params string[] rest) =>
        ["--port", port.ToString(CultureInfo.InvariantCulture), "--time-limit", "30", "--no-progress", .. rest];
}
