using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Sockchat.Bench;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Sockchat.Web;

namespace Sockchat.Tests.Bench;

/// <summary>
/// Seconds-long runs of the generator's websocket dialect (issue 10; bench/run.sh b-web and
/// b-mixed) against an in-process chat server and its web front end on 127.0.0.1: every client
/// on the web port's /ws, and half of them web, half TCP, each group counted apart.
/// </summary>
public sealed class WebSocketDialectSmokeTests
{
    private const int Clients = 20;
    private const int Senders = 4;
    private const int Messages = 50;

    // Every client comes from 127.0.0.1, and the senders send as fast as they can.
    private static readonly ServerOptions Unlimited = new() { MaxConnectionsPerAddress = 0, RatePerSecond = 0 };

    [Fact(Timeout = 60000)]
    public async Task Twenty_web_clients_deliver_every_message_whole_and_the_report_gives_the_web_group()
    {
        // Arrange: --port names a port nobody listens on, so only the web port can carry the run.
        await using var server = await TestServer.StartAsync(Unlimited);
        await using var web = await StartWebAsync(server);
        var options = BenchOptionsParser.Parse(Args(FreePort.WithNothingListening(), web.Url, "--dialect", "websocket"));
        using var generator = new LoadGenerator(options, TextWriter.Null);

        // Act
        var report = await generator.RunAsync();

        // Assert
        Assert.Equal("complete", report.Status);
        Assert.Equal("websocket", report.Dialect);
        Assert.Equal(Clients, report.WebClients);
        Assert.Equal((long)Senders * Messages * (Clients - 1), report.Received);
        Assert.Equal(0, report.Spliced);
        Assert.NotNull(report.Web);
        Assert.Null(report.Tcp);
        Assert.Equal(report.Received, report.Web!.Received);
        Assert.Equal(report.Expected, report.Web.Expected);
        Assert.Equal(report.DeliveredPerS, report.Web.DeliveredPerS);
        Assert.True(report.Web.P99Us > 0);
    }

    [Fact(Timeout = 60000)]
    public async Task Half_web_half_tcp_clients_all_get_everything_and_each_group_is_counted_apart()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(Unlimited);
        await using var web = await StartWebAsync(server);
        var options = BenchOptionsParser.Parse(Args(server.Port, web.Url, "--dialect", "json", "--web-clients", $"{Clients / 2}"));
        using var generator = new LoadGenerator(options, TextWriter.Null);

        // Act
        var report = await generator.RunAsync();

        // Assert: both groups heard both groups' senders; the figures add up.
        Assert.Equal("complete", report.Status);
        Assert.Equal(Clients / 2, report.WebClients);
        var (webGroup, tcpGroup) = (report.Web!, report.Tcp!);
        Assert.Equal((Clients / 2, Senders / 2), (webGroup.Clients, webGroup.Senders));
        Assert.Equal((Clients / 2, Senders / 2), (tcpGroup.Clients, tcpGroup.Senders));
        Assert.Equal(webGroup.Expected, webGroup.Received);
        Assert.Equal(tcpGroup.Expected, tcpGroup.Received);
        Assert.Equal(report.Received, webGroup.Received + tcpGroup.Received);
        Assert.True(webGroup.DeliveredPerS > 0 && tcpGroup.DeliveredPerS > 0);
        Assert.True(webGroup.P99Us > 0 && tcpGroup.P99Us > 0);
    }

    [Fact]
    public void The_websocket_dialect_sends_frames_without_a_newline_and_reads_what_the_json_dialect_reads()
    {
        // Arrange
        var dialect = ChatDialect.Create("web");
        var session = new DialectSession(3, isSender: true, room: null);

        // Act
        var hello = Encoding.UTF8.GetString(dialect.Handshake(session));
        var ready = dialect.Read("""{"type":"welcome","name":"b3"}"""u8, session, out _, out _);
        var ping = dialect.Read("""{"type":"ping","id":7}"""u8, session, out _, out var pong);
        var message = dialect.Read("""{"type":"msg","seq":1,"from":"b0","text":"abc"}"""u8, session, out var text, out _);

        // Assert
        Assert.True(dialect.IsWebSocket);
        Assert.Equal("""{"type":"hello","name":"b3"}""", hello);
        Assert.Equal((byte)'"', dialect.MessageSuffix[0]);
        Assert.DoesNotContain((byte)'\n', dialect.MessageSuffix);
        Assert.Equal(LineKind.Ready, ready);
        Assert.Equal(LineKind.Ignored, ping);
        Assert.Equal("""{"type":"pong","id":7}""", Encoding.UTF8.GetString(pong!));
        Assert.Equal(LineKind.Message, message);
        Assert.Equal("abc", Encoding.UTF8.GetString("""{"type":"msg","seq":1,"from":"b0","text":"abc"}"""u8[text]));
    }

    [Fact]
    public void Web_clients_are_spread_evenly_over_the_indexes_so_over_the_senders_too()
    {
        // Act
        var half = BenchOptionsParser.Parse(["--port", "1", "--web-url", "http://127.0.0.1:2/", "--clients", "100", "--senders", "10", "--web-clients", "50"]);
        var all = BenchOptionsParser.Parse(["--port", "1", "--web-url", "http://127.0.0.1:2/", "--clients", "7", "--dialect", "websocket"]);

        // Assert
        Assert.True(half.IsMixed);
        Assert.Equal(50, Enumerable.Range(0, 100).Count(half.IsWebClient));
        Assert.Equal(5, Enumerable.Range(0, 10).Count(half.IsWebClient));
        Assert.False(all.IsMixed);
        Assert.All(Enumerable.Range(0, 7), i => Assert.True(all.IsWebClient(i)));
    }

    [Theory]
    [InlineData("--dialect", "websocket")]
    [InlineData("--web-clients", "3")]
    public void Web_clients_without_the_web_port_are_a_usage_error(string name, string value)
    {
        // Act and assert
        Assert.Throws<BenchUsageException>(() => BenchOptionsParser.Parse(["--port", "1", name, value]));
    }

    [Fact]
    public void Web_clients_mix_only_into_the_json_dialect()
    {
        // Act and assert
        Assert.Throws<BenchUsageException>(() =>
            BenchOptionsParser.Parse(["--port", "1", "--web-url", "http://127.0.0.1:2/", "--dialect", "text", "--web-clients", "3"]));
    }

    private static async Task<WebFrontEnd> StartWebAsync(TestServer server)
    {
        var web = new WebFrontEnd(new WebFrontEndOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, NullLoggerFactory.Instance,
            () => server.Server.Accepting, (socket, batch, remote, _) => WebSessions.RunAsync(server.Server, socket, batch, remote));
        await web.StartAsync(CancellationToken.None);
        return web;
    }

    private static string[] Args(int port, Uri web, params string[] rest) =>
        ["--port", port.ToString(CultureInfo.InvariantCulture), "--web-url", web.ToString(), "--time-limit", "30", "--no-progress",
         "--clients", $"{Clients}", "--senders", $"{Senders}", "--messages", $"{Messages}", .. rest];
}
