using System.Net;
using System.Net.Sockets;
using Sockchat.E2E.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.E2E;

/// <summary>The web port of <c>sockchat serve</c> as scripts and operators meet it: where it is, what it answers, how to turn it off.</summary>
public sealed class WebPortTests(ITestOutputHelper output) : IClassFixture<InstalledTool>
{
    private static readonly HttpClient Http = new() { Timeout = Timeouts.Start };

    [Fact(Timeout = Timeouts.Test)]
    public async Task The_web_port_serves_the_page_with_strict_headers_health_and_metrics()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var port = TwoFreePorts();
        await using var server = await ServerProcess.StartAsync(sandbox, port, ["--web-port", $"{port + 1}"]);

        // Act
        var page = await Http.GetAsync(server.WebUrl);
        var health = await Http.GetStringAsync(new Uri(server.WebUrl!, "/healthz"));
        var say = await sandbox.RunAsync(["say", "--name", "ci", "--port", $"{server.Port}", "counted"]);
        var metrics = await Http.GetStringAsync(new Uri(server.WebUrl!, "/metrics"));

        // Assert
        Assert.Equal(new Uri($"http://127.0.0.1:{port + 1}/"), server.WebUrl);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'", string.Join(",", page.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", string.Join(",", page.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", string.Join(",", page.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("ok\n", health);
        Assert.Equal(0, say.ExitCode);
        Assert.Matches(@"(?m)^sockchat_messages_received_total\{[^}]*kind=""room""[^}]*\} 1$", metrics);
        Assert.Contains("# TYPE sockchat_connections", metrics);
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task The_web_port_defaults_to_the_chat_port_plus_one()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var port = TwoFreePorts();

        // Act: no --web-port at all (ServerProcess would add --web-port 0)
        await using var process = await ToolProcess.StartAsync(sandbox, ["serve", "--port", $"{port}"]);
        var line = await process.WaitForLineAsync(new System.Text.RegularExpressions.Regex("^web on "), Timeouts.Start);

        // Assert
        Assert.Equal($"web on http://127.0.0.1:{port + 1}/", line);
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task With_no_web_serve_prints_only_its_listening_line_and_opens_no_web_port()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        var port = TwoFreePorts();
        var server = await ServerProcess.StartAsync(sandbox, port, ["--no-web"]);

        // Act
        var refused = await Assert.ThrowsAnyAsync<HttpRequestException>(() => Http.GetAsync($"http://127.0.0.1:{port + 1}/healthz"));
        var code = await server.StopAsync();

        // Assert
        Assert.NotNull(refused);
        Assert.Equal(0, code);
        Assert.Equal([server.ListeningLine], server.Process.Stdout.Lines);
    }

    [Fact(Timeout = Timeouts.Test)]
    public async Task A_web_port_in_use_is_a_configuration_error_naming_the_flags_that_fix_it()
    {
        // Arrange
        await using var sandbox = new Sandbox(output);
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;

        // Act
        var result = await sandbox.RunAsync(["serve", "--port", "0", "--web-port", $"{takenPort}"]);

        // Assert
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"cannot listen on web port {takenPort}", result.Stderr);
        Assert.Contains("--no-web", result.Stderr);
    }

    /// <summary>A free port whose successor is free too (bounded tries).</summary>
    private static int TwoFreePorts()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var port = Ports.Dead();
            if (port >= 65535)
            {
                continue;
            }
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port + 1);
                probe.Start();
                return port;
            }
            catch (SocketException)
            {
            }
        }
        throw new InvalidOperationException("found no two free neighbouring ports in 50 tries");
    }
}
