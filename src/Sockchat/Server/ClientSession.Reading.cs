using System.Buffers;
using Sockchat.Protocol;

namespace Sockchat.Server;

public sealed partial class ClientSession
{
    private volatile bool _heardFromClient;
    private bool _firstBytesChecked;

    private const int ReadChunkBytes = 4096;

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        var framer = new LineFramer(_options.MaxLineBytes);
        // A buffer is rented only while bytes are being read or an unfinished line waits at its
        // front: an idle connection holds none (a few KiB each, times thousands).
        byte[]? buffer = null;
        var pending = 0;
        try
        {
            var keepGoing = true;
            while (keepGoing)
            {
                if (pending == 0)
                {
                    ReturnBuffer(ref buffer);
                    await _transport.WaitForDataAsync(cancellationToken);
                }
                buffer = EnsureRoom(buffer, pending);
                var read = await _transport.ReadAsync(buffer.AsMemory(pending), cancellationToken);
                if (read == 0)
                {
                    break;
                }
                _hub.Metrics?.BytesReceived(read);
                var data = new ReadOnlySequence<byte>(buffer, 0, pending + read);
                if (!_firstBytesChecked)
                {
                    // However the first bytes are split across reads: nothing is framed until they are told apart.
                    var tls = LooksLikeTlsHello(data.FirstSpan);
                    if (tls == true)
                    {
                        Log.CrossProtocol(_logger, Id, "TLS");
                        _closeReason ??= LeaveReasons.Disconnected;
                        break;
                    }
                    if (tls is null)
                    {
                        pending = (int)data.Length;
                        continue;
                    }
                    _firstBytesChecked = true;
                }
                _heardFromClient = true;
                while (keepGoing)
                {
                    var found = framer.TryReadLine(ref data, out var line);
                    if (found == FrameResult.NeedMore)
                    {
                        break;
                    }
                    // Only a whole frame is activity: a line trickled forever without its newline must not keep the idle check away.
                    HeardFromClient();
                    keepGoing = found == FrameResult.Line
                        ? await HandleLineAsync(line, cancellationToken)
                        : HandleTooLong(framer.MaxLineBytes);
                }
                if (keepGoing && framer.DiscardedBytes > (long)framer.MaxLineBytes * _options.OverlongDisconnectFactor)
                {
                    // Streaming far past the limit with no newline: not a chat client.
                    if (MayWarn())
                    {
                        Log.Flooding(_logger, Id, Name ?? "-");
                    }
                    SendEarlyError(new ErrorFrame(ErrorCodes.TooLong, $"over {_options.OverlongDisconnectFactor} times the {framer.MaxLineBytes}-byte line limit without a newline; disconnecting"));
                    CloseGracefully(LeaveReasons.Kicked, null);
                    keepGoing = false;
                }
                // Keep the unfinished line (never more than the line limit: the framer discards past it) at the front.
                pending = (int)data.Length;
                data.FirstSpan.CopyTo(buffer);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (_transport.IsConnectionError(ex))
        {
            Log.ConnectionReset(_logger, Id, ex.Message);
        }
        finally
        {
            ReturnBuffer(ref buffer);
        }
    }

    /// <summary>A buffer with room to read after the <paramref name="pending"/> bytes at its front.</summary>
    private static byte[] EnsureRoom(byte[]? buffer, int pending)
    {
        if (buffer is not null && buffer.Length - pending >= ReadChunkBytes / 2)
        {
            return buffer;
        }
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(ReadChunkBytes, pending * 2));
        if (buffer is not null)
        {
            buffer.AsSpan(0, pending).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return larger;
    }

    private static void ReturnBuffer(ref byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = null;
        }
    }

    private void PromptForNickname()
    {
        if (!_heardFromClient && Dialect == Dialect.Undecided)
        {
            SendRawText("sockchat: type a nickname and press Enter (JSON clients: send {\"type\":\"hello\",\"name\":...})");
        }
    }

    /// <summary>A line over the limit is a refused frame like any other: it spends a token and counts against the refusal budget.</summary>
    private bool HandleTooLong(int limit)
    {
        if (MayWarn())
        {
            Log.LineTooLong(_logger, Id, limit);
        }
        if (TryAcquireRate(id: null))
        {
            Refuse(new ErrorFrame(ErrorCodes.TooLong, $"line longer than {limit} bytes was dropped"));
        }
        return _closeReason is null;
    }

    /// <summary>Handles one line (its bytes stay valid until this returns); returns false when the session should stop reading.</summary>
    private ValueTask<bool> HandleLineAsync(ReadOnlySequence<byte> line, CancellationToken cancellationToken)
    {
        if (Dialect != Dialect.Json || Name is null)
        {
            return HandleLineAsync(TextSanitizer.Decode(line), cancellationToken);
        }
        // The common case, a registered JSON client: parsed straight from the bytes, no string of the line.
        var frame = line.IsSingleSegment ? JsonCodec.ParseClientFrame(line.FirstSpan) : JsonCodec.ParseClientFrame(line.ToArray());
        return !TryAcquireRate(frame) ? ValueTask.FromResult(_closeReason is null) : DispatchAsync(frame, cancellationToken);
    }

    private async ValueTask<bool> HandleLineAsync(string line, CancellationToken cancellationToken)
    {
        if (Dialect == Dialect.Undecided)
        {
            if (AnswerIfHttp(line))
            {
                return false;
            }
            Dialect = JsonCodec.LooksLikeJsonObject(line) ? Dialect.Json : Dialect.Text;
            _hub.Metrics?.DialectDecided(TransportKind, Dialect);
        }
        if (Name is null)
        {
            return Dialect == Dialect.Json
                ? await HandleHelloAsync(JsonCodec.ParseClientFrame(line), cancellationToken)
                : await HandleTextNicknameAsync(line, cancellationToken);
        }
        var frame = Dialect == Dialect.Json ? JsonCodec.ParseClientFrame(line) : TextCommands.Parse(line);
        return !TryAcquireRate(frame) ? _closeReason is null : await DispatchAsync(frame, cancellationToken);
    }

    private async ValueTask<bool> HandleHelloAsync(ClientFrame frame, CancellationToken cancellationToken)
    {
        if (frame is not HelloFrame hello)
        {
            var id = frame switch { InvalidFrame f => f.Id, UnknownFrame f => f.Id, _ => null };
            Reply(new ErrorFrame(ErrorCodes.BadFrame, "the first frame must be {\"type\":\"hello\",\"name\":...}", id));
            CloseGracefully(LeaveReasons.Disconnected, null);
            return false;
        }
        if (!_auth.Check(hello.Password))
        {
            await RefuseAuthAsync(cancellationToken);
            return false;
        }
        _auth.Succeed(RemoteEndPoint?.Address);
        if (await _hub.RegisterAsync(this, hello, cancellationToken) is { } refusal)
        {
            Log.Refused(_logger, Id, refusal.Code);
            Reply(refusal);
            CloseGracefully(LeaveReasons.Disconnected, null);
            return false;
        }
        return true;
    }

    private async ValueTask<bool> HandleTextNicknameAsync(string line, CancellationToken cancellationToken)
    {
        var wanted = line.Trim();
        if (_auth.Required && !_passwordGiven)
        {
            // Text clients give the password first, IRC-style: /pass secret, then the nickname.
            var given = wanted.StartsWith("/pass ", StringComparison.OrdinalIgnoreCase) ? wanted[6..].Trim() : null;
            if (!_auth.Check(given))
            {
                await RefuseAuthAsync(cancellationToken);
                return false;
            }
            _auth.Succeed(RemoteEndPoint?.Address);
            _passwordGiven = true;
            SendRawText("sockchat: password accepted; now type a nickname and press Enter");
            return true;
        }
        if (wanted.StartsWith("/nick ", StringComparison.OrdinalIgnoreCase))
        {
            wanted = wanted[6..].Trim();
        }
        if (await _hub.RegisterAsync(this, new HelloFrame(wanted, null, null, true, null), cancellationToken) is not { } refusal)
        {
            return true;
        }
        Log.Refused(_logger, Id, refusal.Code);
        SendRawText($"! {refusal.Code}: {refusal.Message}");
        if (++_textNameAttempts >= MaxTextNameAttempts)
        {
            CloseGracefully(LeaveReasons.Disconnected, null);
            return false;
        }
        SendRawText("sockchat: type another nickname and press Enter");
        return true;
    }

    /// <summary>
    /// Handles one frame that passed the rate check. A frame answered with an error (by the
    /// session or the hub) counts as refused; any other resets the refusal count.
    /// </summary>
    private async ValueTask<bool> DispatchAsync(ClientFrame frame, CancellationToken cancellationToken)
    {
        if (frame is PongReplyFrame)
        {
            // Free and counted neither way, so that pongs cannot reset a flooder's refusal count.
            return true;
        }
        var errorsBefore = Volatile.Read(ref _errorsDelivered);
        var keepGoing = await HandleFrameAsync(frame, cancellationToken);
        if (Volatile.Read(ref _errorsDelivered) == errorsBefore)
        {
            _refusedInARow = 0;
            return keepGoing;
        }
        return !CountRefusal(_lastErrorCode ?? ErrorCodes.BadFrame, null) && keepGoing;
    }

    private async ValueTask<bool> HandleFrameAsync(ClientFrame frame, CancellationToken cancellationToken)
    {
        switch (frame)
        {
            case SayFrame say: _hub.Say(this, say); break;
            case DmFrame dm: await _hub.DirectMessageAsync(this, dm, cancellationToken); break;
            case JoinFrame join: await _hub.JoinAsync(this, join, cancellationToken); break;
            case PartFrame part: _hub.Part(this, part); break;
            case NickFrame nick: await _hub.NickAsync(this, nick, cancellationToken); break;
            case WhoFrame who: await _hub.WhoAsync(this, who, cancellationToken); break;
            case RoomsFrame: await _hub.ListRoomsAsync(this, cancellationToken); break;
            case HistoryFrame history: await _hub.HistoryAsync(this, history, cancellationToken); break;
            case PingFrame ping: Reply(new PongFrame(ping.Id)); break;
            case QuietFrame quiet:
                _hub.SetPresenceNotices(this, !quiet.Quiet);
                Reply(new NoticeFrame(quiet.Quiet ? "* joined/left notices are off (/quiet off turns them on)" : "* joined/left notices are on"));
                break;
            case HelpFrame: Reply(new NoticeFrame(TextCommands.HelpText)); break;
            case HelloFrame: Reply(new ErrorFrame(ErrorCodes.BadFrame, "hello was already received")); break;
            case UnknownFrame unknown:
                Reply(new ErrorFrame(ErrorCodes.UnknownCommand, $"unknown command '{unknown.Type}'; /help lists them", unknown.Id));
                break;
            case InvalidFrame invalid: Reply(new ErrorFrame(invalid.Code, invalid.Message, invalid.Id)); break;
            case QuitFrame:
                CloseGracefully(LeaveReasons.Quit, Dialect == Dialect.Text ? new NoticeFrame("* goodbye") : null);
                return false;
        }
        return true;
    }

    private bool _passwordGiven;

    /// <summary>Wrong or missing password: wait (longer after each failure from this address), say auth_failed, close.</summary>
    private async Task RefuseAuthAsync(CancellationToken cancellationToken)
    {
        var penalty = _auth.Fail(RemoteEndPoint?.Address);
        // The wait starts before the log line: once the line is there, the penalty runs (a test on a fake clock relies on it).
        var waiting = Task.Delay(penalty, _time, cancellationToken);
        Log.Refused(_logger, Id, ErrorCodes.AuthFailed);
        await waiting;
        var message = Dialect == Dialect.Text
            ? "this server needs a password: send /pass <password> as your first line, then your nickname"
            : "wrong or missing password";
        SendEarlyError(new ErrorFrame(ErrorCodes.AuthFailed, message));
        CloseGracefully(LeaveReasons.Disconnected, null);
    }

    /// <summary>An answer from the session itself (a pong, a notice, an error): delivered under the hub's lock like every frame.</summary>
    private void Reply(ServerFrame frame) => _hub.DeliverTo(this, frame);
}
