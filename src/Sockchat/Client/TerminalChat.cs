using System.Text;
using System.Threading.Channels;
using Sockchat.Protocol;

namespace Sockchat.Client;

/// <summary>Opens a new connection for a reconnect: hello for <c>room</c>, with the last seq seen per room.</summary>
public delegate Task<ChatClient> Reconnect(string room, IReadOnlyDictionary<string, long> since, CancellationToken cancellationToken);

/// <summary>
/// The <c>join</c> loop: shows what the server sends and sends what the user types, until the
/// user leaves, the server shuts down, or Ctrl+C. What is typed is read as the text dialect
/// (/commands, plain lines to the current room) and sent as JSON frames; with <c>--json</c> the
/// raw frames are printed one per line and typed JSON lines are sent as they are.
/// When the connection drops without a <c>shutdown</c>, it reconnects by itself (backoff with
/// jitter, for up to <c>reconnectFor</c>) and resumes with <c>since</c>, so it gets exactly the
/// messages it missed; lines typed meanwhile wait in a queue and are sent after the reconnect.
/// Owned by the CLI, which also owns the <see cref="IChatScreen"/>.
/// </summary>
public sealed partial class TerminalChat(ChatClient first, Reconnect reconnect, IChatScreen screen, Painter painter, bool rawJson, TimeSpan reconnectFor)
{
    private static readonly TimeSpan GoodbyeTimeout = TimeSpan.FromSeconds(2);

    private readonly List<string> _rooms = [];
    private readonly Dictionary<string, long> _lastSeq = new(StringComparer.Ordinal);
    private readonly Channel<byte[]> _outgoing = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private ChatClient _client = first;
    private string _me = first.Welcome.Name;
    private int _maxLineBytes = first.Welcome.MaxLineBytes;
    private bool _sawShutdown;
    /// <summary>Set by <c>/quiet</c> on the input loop, read where frames are shown.</summary>
    private volatile bool _quiet;
    private volatile bool _connected = true;

    public async Task<JoinOutcome> RunAsync(CancellationToken cancellationToken)
    {
        _rooms.AddRange(_client.Welcome.Rooms);
        Show(_client.Welcome, _client.WelcomeLine);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var typing = InputLoopAsync(stop.Token);
        try
        {
            while (true)
            {
                var outcome = await RunConnectionAsync(typing, cancellationToken);
                if (outcome != JoinOutcome.ConnectionLost || reconnectFor <= TimeSpan.Zero)
                {
                    return outcome;
                }
                await _client.DisposeAsync();
                var next = await ReconnectAsync(typing, cancellationToken);
                if (next is null)
                {
                    return cancellationToken.IsCancellationRequested ? JoinOutcome.Interrupted
                        : typing.IsCompleted ? JoinOutcome.Quit
                        : JoinOutcome.ConnectionLost;
                }
                _client = next;
            }
        }
        finally
        {
            // The input thread blocks in a console read that cannot be cancelled; it is a
            // background thread and ends with the process.
            await stop.CancelAsync();
            await _client.DisposeAsync();
        }
    }

    /// <summary>Runs one connection until the user leaves, Ctrl+C, the server shuts down or the connection drops.</summary>
    private async Task<JoinOutcome> RunConnectionAsync(Task typing, CancellationToken cancellationToken)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receiving = ReceiveLoopAsync(connection.Token);
        var sending = SendLoopAsync(connection.Token);
        var first = await Task.WhenAny(receiving, typing);
        if (cancellationToken.IsCancellationRequested)
        {
            await SayGoodbyeAsync(receiving);
            return JoinOutcome.Interrupted;
        }
        if (first == typing)
        {
            // The user left: what was typed before goes out first, then quit.
            _outgoing.Writer.TryComplete();
            await sending.WaitAsync(GoodbyeTimeout).ContinueWith(static _ => { }, TaskScheduler.Default);
            await SayGoodbyeAsync(receiving);
            return JoinOutcome.Quit;
        }
        _connected = false;
        await connection.CancelAsync();
        await sending.ContinueWith(static _ => { }, TaskScheduler.Default);
        var outcome = await receiving;
        screen.WriteLine(painter.Notice(outcome == JoinOutcome.ServerShutdown
            ? "* disconnected: the server shut down"
            : "* disconnected: the connection to the server was lost"));
        return outcome;
    }

    private async Task SayGoodbyeAsync(Task<JoinOutcome> receiving)
    {
        using var grace = new CancellationTokenSource(GoodbyeTimeout);
        try
        {
            await _client.SendAsync(new QuitFrame(null), grace.Token);
            await receiving.WaitAsync(grace.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ConnectionLostException)
        {
            // Leaving anyway: the server notices the closed socket and says we left.
        }
    }

    private async Task<JoinOutcome> ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _client.ReceiveAsync(cancellationToken) is { } line)
            {
                if (line.Frame is { } frame)
                {
                    Track(frame);
                    Show(frame, line.Raw);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (ConnectionLostException)
        {
            return JoinOutcome.ConnectionLost;
        }
        return _sawShutdown ? JoinOutcome.ServerShutdown : JoinOutcome.ConnectionLost;
    }

    /// <summary>Sends queued lines in order. A line stays queued until it was written, so a drop never loses it.</summary>
    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        var reader = _outgoing.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                while (reader.TryPeek(out var line))
                {
                    await _client.SendRawAsync(line, cancellationToken);
                    reader.TryRead(out _);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (ConnectionLostException)
        {
            // The receive loop sees the same failure and reports it.
        }
    }

    private void Track(ServerFrame frame)
    {
        switch (frame)
        {
            case MsgFrame m:
                _lastSeq[m.Room] = Math.Max(_lastSeq.GetValueOrDefault(m.Room), m.Seq);
                break;
            case GapFrame g:
                // Gone for good: a later reconnect need not ask for them again.
                _lastSeq[g.Room] = Math.Max(_lastSeq.GetValueOrDefault(g.Room), g.To);
                break;
            case JoinedFrame j when j.Name == _me:
                _rooms.Remove(j.Room);
                _rooms.Add(j.Room);
                break;
            case LeftFrame l when l.Name == _me:
                _rooms.Remove(l.Room);
                break;
            case NickChangedFrame n when n.Old == _me:
                _me = n.New;
                break;
            case ShutdownFrame:
                _sawShutdown = true;
                break;
        }
    }

    /// <summary>A joined/left notice about someone else (or a batch), which <c>/quiet</c> hides.</summary>
    private bool IsAboutOthers(ServerFrame frame) => frame switch
    {
        JoinedFrame j => j.Count > 1 || j.Name != _me,
        LeftFrame l => l.Count > 1 || l.Name != _me,
        _ => false,
    };

    private void Show(ServerFrame frame, string raw)
    {
        if (rawJson)
        {
            screen.WriteLine(raw);
            return;
        }
        if (_quiet && IsAboutOthers(frame))
        {
            return;
        }
        foreach (var text in painter.Paint(frame, showRoom: _rooms.Count > 1, _me))
        {
            screen.WriteLine(text);
        }
    }
}
