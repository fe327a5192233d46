using System.Text;
using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Robustness;

/// <summary>MaxClients and MaxConnectionsPerAddress over real sockets: the refused get one server_full line and an orderly close; room frees up again.</summary>
public sealed class ConnectionLimitTests(ITestOutputHelper output)
{
    private const int MaxRefusalRetries = 5;

    [Fact(Timeout = 15000)]
    public async Task A_connection_beyond_MaxClients_reads_one_server_full_line_then_eof_and_a_freed_place_is_taken_again()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(new ServerOptions { MaxClients = 2 }, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await TextTestClient.JoinAsync(server, "bob");

        // Act
        await using var third = await RawConnection.ConnectAsync(server.Port);
        var refused = await third.ReadToEndAsync();
        await bob.SendLineAsync("/quit");
        await bob.ExpectClosedAsync();
        await server.WaitForConnectionCountAsync(1);
        await using var carol = await JsonTestClient.JoinAsync(server, "carol");

        // Assert
        Assert.False(refused.WasReset, "the refusal ended in a reset, not an orderly close");
        var error = Assert.IsType<ErrorFrame>(JsonCodec.ParseServerFrame(SingleLine(refused)));
        Assert.Equal(ErrorCodes.ServerFull, error.Code);
        Assert.Equal("carol", carol.Welcome?.Name);
    }

    /// <summary>
    /// A real client (join, say) sends its hello right after connecting, usually before the server
    /// has accepted it. The refusal must still be readable: closing a socket with unread input
    /// makes the kernel send a reset, which can discard the line in flight.
    /// </summary>
    [Fact(Timeout = 15000)]
    public async Task A_connection_beyond_MaxClients_that_said_hello_at_once_still_reads_the_server_full_line()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(new ServerOptions { MaxClients = 1 }, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");

        // Act
        await using var second = await RawConnection.ConnectAsync(server.Port);
        await second.SendAsync(JsonCodec.Encode(new HelloFrame("bob", null, null, true, null)));
        var refused = await second.ReadToEndAsync();

        // Assert
        output.WriteLine($"received {refused.Bytes.Length} bytes, then {(refused.WasReset ? "a reset" : "an orderly close")}");
        var error = Assert.IsType<ErrorFrame>(JsonCodec.ParseServerFrame(SingleLine(refused)));
        Assert.Equal(ErrorCodes.ServerFull, error.Code);
        await alice.SyncAsync();
    }

    [Fact(Timeout = 15000)]
    public async Task A_third_connection_from_one_address_is_refused_server_full_and_accepted_once_one_of_the_two_closes()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(new ServerOptions { MaxConnectionsPerAddress = 2 }, output);
        await using var alice = await JsonTestClient.JoinAsync(server, "alice");
        await using var bob = await JsonTestClient.JoinAsync(server, "bob");

        // Act
        await using var carol = await JsonTestClient.ConnectAsync(server.Port);
        var refusal = await carol.ExpectAsync<ErrorFrame>();
        await carol.ExpectClosedAsync();
        bob.Close();
        await alice.ExpectAsync<LeftFrame>(l => l.Name == "bob");
        await server.WaitForConnectionCountAsync(1);
        var (dave, welcome, attempts) = await JoinRetryingWhileRefusedAsync(server, "dave");
        await using var daveConnection = dave;

        // Assert
        Assert.Equal(ErrorCodes.ServerFull, refusal.Code);
        Assert.Contains("at most 2", refusal.Message);
        Assert.Equal("dave", welcome.Name);
        output.WriteLine($"dave was accepted at attempt {attempts}");
        Assert.Contains(server.Logs, e => e.Message.Contains("connections from that address already", StringComparison.Ordinal));
    }

    private static string SingleLine(RawReceipt receipt)
    {
        var text = Encoding.UTF8.GetString(receipt.Bytes);
        Assert.True(text.EndsWith('\n') && text.IndexOf('\n') == text.Length - 1, $"expected exactly one line, received {FuzzRun.Show(text)}");
        return text.TrimEnd('\n');
    }

    /// <summary>
    /// The server releases an address's slot just after it stops counting the connection, so a
    /// connection made in between may still be refused; a few attempts, each a full round trip, cover it.
    /// </summary>
    private static async Task<(JsonTestClient Client, WelcomeFrame Welcome, int Attempts)> JoinRetryingWhileRefusedAsync(TestServer server, string name)
    {
        for (var attempt = 1; attempt <= MaxRefusalRetries; attempt++)
        {
            var client = await JsonTestClient.ConnectAsync(server.Port);
            await client.SendAsync(new HelloFrame(name, null, null, true, null));
            var answer = await client.ExpectAsync<ServerFrame>(f => f is WelcomeFrame or ErrorFrame);
            if (answer is WelcomeFrame welcome)
            {
                return (client, welcome, attempt);
            }
            await client.DisposeAsync();
        }
        throw new Xunit.Sdk.XunitException($"{name} was still refused after {MaxRefusalRetries} attempts");
    }
}
