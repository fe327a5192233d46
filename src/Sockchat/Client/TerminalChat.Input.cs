using System.Text;
using Sockchat.Protocol;

namespace Sockchat.Client;

public sealed partial class TerminalChat
{
    /// <summary>Reads typed lines and queues them for sending; completes when the user leaves.</summary>
    private async Task InputLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var typed in screen.ReadLinesAsync(cancellationToken))
            {
                if (!HandleTyped(typed))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Queues what the user typed; returns false when the user is leaving.</summary>
    private bool HandleTyped(string typed)
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
            Queue(Encoding.UTF8.GetBytes(text + "\n"));
            return true;
        }
        switch (TextCommands.Parse(text))
        {
            case QuitFrame:
                return false;
            case QuietFrame quiet:
                // join filters the notices itself: the setting then survives a reconnect without a frame for it.
                _quiet = quiet.Quiet;
                screen.WriteLine(painter.Notice(quiet.Quiet ? "* joined/left notices are off (/quiet off turns them on)" : "* joined/left notices are on"));
                return true;
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
                if (encoded.Length > _maxLineBytes)
                {
                    screen.WriteLine(painter.Error($"! too long: the server takes lines up to {_maxLineBytes} bytes; not sent"));
                    return true;
                }
                Queue(encoded);
                return true;
        }
    }

    private void Queue(byte[] line)
    {
        _outgoing.Writer.TryWrite(line);
        if (!_connected)
        {
            screen.WriteLine(painter.Notice("* not connected: this will be sent once reconnected"));
        }
    }
}
