using System.Net.Sockets;
using System.Text;
using Sockchat.Protocol;
using Sockchat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sockchat.Tests.Server;

/// <summary>How the server reads a socket: lines split across reads, lines longer than one read, many lines in one read.</summary>
public sealed class ReadPathTests(ITestOutputHelper output)
{
    [Fact(Timeout = 20000)]
    public async Task A_message_arriving_one_byte_per_packet_is_delivered_whole()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var reader = await JsonTestClient.JoinAsync(server, "reader");
        await using var writer = await JsonTestClient.JoinAsync(server, "writer");
        var bytes = JsonCodec.Encode(new SayFrame(null, "héllo, wörld ✓", FrameId.FromString("1")));

        // Act: every byte its own segment (NoDelay), a multi-byte character split too
        foreach (var b in bytes)
        {
            await writer.SendBytesAsync(new[] { b });
        }

        // Assert
        var message = await reader.ExpectAsync<MsgFrame>(m => m.From == "writer");
        Assert.Equal("héllo, wörld ✓", message.Text);
        await writer.ExpectAsync<AckFrame>();
    }

    [Fact(Timeout = 20000)]
    public async Task A_line_longer_than_one_read_but_within_the_limit_is_delivered_whole()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var reader = await JsonTestClient.JoinAsync(server, "reader");
        await using var writer = await JsonTestClient.JoinAsync(server, "writer");
        var text = string.Concat(Enumerable.Range(0, 1200).Select(i => (char)('a' + i % 26))) + "…" + new string('z', 9000);

        // Act: written in uneven pieces so the server sees partial lines of many sizes
        var bytes = JsonCodec.Encode(new SayFrame(null, text, null));
        for (var offset = 0; offset < bytes.Length; offset += 777)
        {
            await writer.SendBytesAsync(bytes.AsMemory(offset, Math.Min(777, bytes.Length - offset)));
        }

        // Assert
        var message = await reader.ExpectAsync<MsgFrame>(m => m.From == "writer");
        Assert.Equal(text, message.Text);
    }

    [Fact(Timeout = 20000)]
    public async Task Many_lines_in_one_write_are_all_delivered_in_order()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(output: output);
        await using var reader = await JsonTestClient.JoinAsync(server, "reader");
        await using var writer = await JsonTestClient.JoinAsync(server, "writer");
        // Lines of different lengths and content, so that reads end at many different places in them.
        static string Line(int i) => $"{i} " + new string((char)('a' + i % 26), 20 + i % 37);
        var batch = new List<byte>();
        for (var i = 0; i < 300; i++)
        {
            batch.AddRange(JsonCodec.Encode(new SayFrame(null, Line(i), null)));
        }

        // Act
        await writer.SendBytesAsync(batch.ToArray());

        // Assert
        for (var i = 0; i < 300; i++)
        {
            var expected = Line(i);
            var message = await reader.ExpectAsync<MsgFrame>(m => m.From == "writer");
            Assert.Equal(expected, message.Text);
        }
    }
}
