using System.Text;
using Sockchat.Protocol;

namespace Sockchat.Client;

/// <summary>
/// The <c>join</c> loop: shows what the server sends and sends what the user types, until the
/// user leaves, the server shuts down, the connection drops or Ctrl+C. What is typed is read as
/// the text dialect (/commands, plain lines to the current room) and sent as JSON frames; with
/// <c>--json</c> the raw frames are printed one per line and typed JSON lines are sent as they are.
/// Owned by the CLI, which owns the <see cref="ChatClient"/> and the <see cref="IChatScreen"/>.
/// </summary>
public sealed class TerminalChat(ChatClient client, IChatScreen screen, Painter painter, bool rawJson)
{
    private static readonly TimeSpan GoodbyeTimeout = TimeSpan.FromSeconds(2);

    private readonly List<string> _rooms = [];
    private string _me = client.Welcome.Name;
    private bool _sawShutdown;

    public async Task<JoinOutcome> RunAsync(CancellationToken cancellationToken)
    {
        _rooms.AddRange(client.Welcome.Rooms);
        Show(client.Welcome, client.WelcomeLine);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receiving = ReceiveLoopAsync(stop.Token);
        var typing = InputLoopAsync(stop.Token);
        var first = await Task.WhenAny(receiving, typing);
        if (cancellationToken.IsCancellationRequested)
        {
            await SayGoodbyeAsync(receiving);
            return JoinOutcome.Interrupted;
        }
        if (first == typing && await typing)
        {
            await SayGoodbyeAsync(receiving);
            return JoinOutcome.Quit;
        }
        // The server ended it. The input thread blocks in a console read that cannot be
        // cancelled; it is a background thread and ends with the process.
        await stop.CancelAsync();
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
            await client.SendAsync(new QuitFrame(null), grace.Token);
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
            while (await client.ReceiveAsync(cancellationToken) is { } line)
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

    private void Track(ServerFrame frame)
    {
        switch (frame)
        {
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

    private void Show(ServerFrame frame, string raw)
    {
        if (rawJson)
        {
            screen.WriteLine(raw);
            return;
        }
        foreach (var text in painter.Paint(frame, showRoom: _rooms.Count > 1, _me))
        {
            screen.WriteLine(text);
        }
    }

    /// <summary>Reads and sends typed lines; true when the user left, false when sending failed.</summary>
    private async Task<bool> InputLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var typed in screen.ReadLinesAsync(cancellationToken))
            {
                if (!await HandleTypedAsync(typed, cancellationToken))
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (ConnectionLostException)
        {
            // The receive loop sees the same failure and reports it.
            await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
            return false;
        }
        return true;
    }

    /// <summary>Sends what the user typed; returns false when the user is leaving.</summary>
    private async Task<bool> HandleTypedAsync(string typed, CancellationToken cancellationToken)
    {
        var text = typed.TrimEnd();
        if (text.Length == 0)
        {
            return true;
        }
        if (text is "exit" or "/exit")
        {
            return false;
        }
        if (rawJson && JsonCodec.LooksLikeJsonObject(text))
        {
            await client.SendRawAsync(Encoding.UTF8.GetBytes(text + "\n"), cancellationToken);
            return true;
        }
        switch (TextCommands.Parse(text))
        {
            case QuitFrame:
                return false;
            case HelpFrame:
                screen.WriteLine(painter.Notice("* " + TextCommands.HelpText + " · exit or Ctrl+D also leave"));
                return true;
            case InvalidFrame invalid:
                screen.WriteLine(painter.Error($"! {invalid.Message}"));
                return true;
            case UnknownFrame unknown:
                screen.WriteLine(painter.Error($"! unknown command /{unknown.Type}; /help lists them"));
                return true;
            case var frame:
                var encoded = JsonCodec.Encode(frame);
                if (encoded.Length > client.Welcome.MaxLineBytes)
                {
                    screen.WriteLine(painter.Error($"! too long: the server takes lines up to {client.Welcome.MaxLineBytes} bytes; not sent"));
                    return true;
                }
                await client.SendRawAsync(encoded, cancellationToken);
                return true;
        }
    }
}
