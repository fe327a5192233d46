using System.Text;

namespace Sockchat.Tests.Infrastructure;

/// <summary>A text-dialect client, as <c>nc</c> would be: sends lines, waits (bounded) for the line it expects.</summary>
internal sealed class TextTestClient : LineConnection
{
    private TextTestClient(System.Net.Sockets.TcpClient tcp) : base(tcp)
    {
    }

    public static async Task<TextTestClient> ConnectAsync(int port) => new(await OpenAsync(port, null));

    /// <summary>Connects and takes a nickname, waiting for the welcome line.</summary>
    public static async Task<TextTestClient> JoinAsync(TestServer server, string name)
    {
        var client = await ConnectAsync(server.Port);
        try
        {
            await client.SendLineAsync(name);
            await client.ExpectLineAsync(l => l.Contains("welcome", StringComparison.Ordinal));
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public Task SendLineAsync(string line) => SendBytesAsync(Encoding.UTF8.GetBytes(line + "\n"));

    public Task<string> ExpectLineAsync(Func<string, bool> match, TimeSpan? within = null) =>
        ReadLineUntilAsync(match, "the expected line", within);

    /// <summary>A line already received that matches, or else the next one that does: for replies whose order against each other is not promised.</summary>
    public async Task<string> ReceivedOrExpectLineAsync(Func<string, bool> match, TimeSpan? within = null) =>
        Lines.FirstOrDefault(match) ?? await ExpectLineAsync(match, within);
}
