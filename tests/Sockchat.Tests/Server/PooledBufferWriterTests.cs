using System.Buffers;
using System.Text;
using Sockchat.Server;

namespace Sockchat.Tests.Server;

/// <summary>The write loop's pooled buffer: grows past its first array without losing what was written.</summary>
public sealed class PooledBufferWriterTests
{
    [Fact]
    public void Writing_more_than_the_first_array_holds_keeps_every_byte_in_order()
    {
        // Arrange
        using var writer = new PooledBufferWriter(initialCapacity: 16);
        var expected = new StringBuilder();

        // Act
        for (var i = 0; i < 500; i++)
        {
            var line = $"line {i}\n";
            writer.Write(Encoding.UTF8.GetBytes(line));
            expected.Append(line);
        }

        // Assert
        Assert.Equal(expected.ToString(), Encoding.UTF8.GetString(writer.WrittenMemory.Span));
    }

    [Fact]
    public void Clear_starts_the_next_write_from_empty()
    {
        // Arrange
        using var writer = new PooledBufferWriter();
        writer.Write("first\n"u8);

        // Act
        writer.Clear();
        writer.Write("second\n"u8);

        // Assert
        Assert.Equal("second\n", Encoding.UTF8.GetString(writer.WrittenMemory.Span));
    }

    [Fact]
    public void Advancing_past_the_span_it_gave_out_is_refused()
    {
        // Arrange
        using var writer = new PooledBufferWriter(initialCapacity: 16);
        var length = writer.GetSpan().Length;

        // Act
        var error = Record.Exception(() => writer.Advance(length + 1));

        // Assert
        Assert.IsType<InvalidOperationException>(error);
    }
}
