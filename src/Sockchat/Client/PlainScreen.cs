using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Sockchat.Client;

/// <summary>
/// <c>join</c> without a terminal: plain lines to the output, whole lines from the input, so it
/// works in pipes. Standard input is read on its own thread because console reads block; that
/// thread ends with the input or with the process.
/// </summary>
public sealed class PlainScreen(TextReader input, TextWriter output) : IChatScreen
{
    private readonly Lock _gate = new();

    public void WriteLine(string line)
    {
        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    public async IAsyncEnumerable<string> ReadLinesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lines = Channel.CreateUnbounded<string>();
        var thread = new Thread(() =>
        {
            try
            {
                while (input.ReadLine() is { } line)
                {
                    lines.Writer.TryWrite(line);
                }
            }
            catch (IOException)
            {
            }
            finally
            {
                lines.Writer.TryComplete();
            }
        })
        { IsBackground = true, Name = "stdin" };
        thread.Start();
        await foreach (var line in lines.Reader.ReadAllAsync(cancellationToken))
        {
            yield return line;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
