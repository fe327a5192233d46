using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;

namespace Sockchat.Client;

/// <summary>
/// <c>join</c> in a terminal: a one-line editor at the bottom, with incoming lines printed above
/// it without disturbing what is being typed (the input line is cleared, the message written,
/// the input line redrawn with the cursor where it was). Keys are read on their own thread since
/// <see cref="Console.ReadKey(bool)"/> blocks; every screen change happens under one lock.
/// Keys: arrows, Home/End, Ctrl+A/E, Backspace/Delete, Ctrl+U/K/W, Up/Down for earlier lines,
/// Ctrl+L to redraw, Ctrl+D on an empty line to leave.
/// </summary>
public sealed class InteractiveScreen : IChatScreen
{
    private const string Prompt = "> ";
    private readonly Lock _gate = new();
    private readonly TextWriter _out;
    private readonly StringBuilder _line = new();
    private readonly List<string> _recall = [];
    private readonly Channel<string> _submitted = Channel.CreateUnbounded<string>();
    private int _cursor;
    private int _recallIndex;
    private Thread? _keys;

    public InteractiveScreen(TextWriter output)
    {
        _out = output;
    }

    public void WriteLine(string line)
    {
        lock (_gate)
        {
            _out.Write("\r\u001b[2K");
            _out.Write(line);
            _out.Write("\r\n");
            Redraw();
        }
    }

    public async IAsyncEnumerable<string> ReadLinesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_keys is null)
        {
            lock (_gate)
            {
                Redraw();
            }
            _keys = new Thread(ReadKeys) { IsBackground = true, Name = "keys" };
            _keys.Start();
        }
        await foreach (var line in _submitted.Reader.ReadAllAsync(cancellationToken))
        {
            yield return line;
        }
    }

    private void ReadKeys()
    {
        try
        {
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                lock (_gate)
                {
                    if (!HandleKey(key))
                    {
                        break;
                    }
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Input stopped being a console.
        }
        _submitted.Writer.TryComplete();
    }

    /// <summary>Applies one key to the line; returns false at end of input (Ctrl+D on an empty line).</summary>
    private bool HandleKey(ConsoleKeyInfo key)
    {
        var ctrl = (key.Modifiers & ConsoleModifiers.Control) != 0;
        switch (key.Key)
        {
            case ConsoleKey.Enter:
                var text = _line.ToString();
                _line.Clear();
                _cursor = 0;
                if (text.Length > 0 && (_recall.Count == 0 || _recall[^1] != text))
                {
                    _recall.Add(text);
                }
                _recallIndex = _recall.Count;
                _submitted.Writer.TryWrite(text);
                break;
            case ConsoleKey.Backspace when _cursor > 0:
                _line.Remove(--_cursor, 1);
                break;
            case ConsoleKey.Delete when _cursor < _line.Length:
                _line.Remove(_cursor, 1);
                break;
            case ConsoleKey.LeftArrow when _cursor > 0:
                _cursor--;
                break;
            case ConsoleKey.RightArrow when _cursor < _line.Length:
                _cursor++;
                break;
            case ConsoleKey.Home or ConsoleKey.A when key.Key == ConsoleKey.Home || ctrl:
                _cursor = 0;
                break;
            case ConsoleKey.End or ConsoleKey.E when key.Key == ConsoleKey.End || ctrl:
                _cursor = _line.Length;
                break;
            case ConsoleKey.UpArrow when _recallIndex > 0:
                SetLine(_recall[--_recallIndex]);
                break;
            case ConsoleKey.DownArrow when _recallIndex < _recall.Count:
                _recallIndex++;
                SetLine(_recallIndex < _recall.Count ? _recall[_recallIndex] : "");
                break;
            case ConsoleKey.U when ctrl:
                _line.Remove(0, _cursor);
                _cursor = 0;
                break;
            case ConsoleKey.K when ctrl:
                _line.Length = _cursor;
                break;
            case ConsoleKey.W when ctrl:
                var start = _cursor;
                while (start > 0 && _line[start - 1] == ' ') start--;
                while (start > 0 && _line[start - 1] != ' ') start--;
                _line.Remove(start, _cursor - start);
                _cursor = start;
                break;
            case ConsoleKey.L when ctrl:
                _out.Write("\u001b[2J\u001b[H");
                break;
            case ConsoleKey.D when ctrl:
                if (_line.Length == 0)
                {
                    _out.Write("\r\u001b[2K");
                    _out.Flush();
                    return false;
                }
                break;
            default:
                if (key.KeyChar != '\0' && !char.IsControl(key.KeyChar))
                {
                    _line.Insert(_cursor++, key.KeyChar);
                }
                break;
        }
        Redraw();
        return true;
    }

    private void SetLine(string text)
    {
        _line.Clear().Append(text);
        _cursor = _line.Length;
    }

    /// <summary>Draws the prompt and the part of the line around the cursor that fits the width.</summary>
    private void Redraw()
    {
        var width = Math.Max(20, SafeWidth() - Prompt.Length - 1);
        var offset = Math.Max(0, _cursor - width);
        var visible = _line.ToString(offset, Math.Min(width, _line.Length - offset));
        _out.Write("\r\u001b[2K");
        _out.Write(Prompt);
        _out.Write(visible);
        var back = offset + visible.Length - _cursor;
        if (back > 0)
        {
            _out.Write($"\u001b[{back}D");
        }
        _out.Flush();
    }

    private static int SafeWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }

    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _out.Write("\r\u001b[2K");
            _out.Flush();
        }
        return ValueTask.CompletedTask;
    }
}
