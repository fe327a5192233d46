using System.Text;
using System.Text.RegularExpressions;
using Sockchat.Protocol;

namespace Sockchat.Server;

/// <summary>
/// The session's defences (issue "hold up under bad input"): the TLS handshake, the handshake
/// deadline, the idle check with ping/pong, the per-client token bucket, and the detection of
/// HTTP requests and TLS hellos arriving on the plain chat port.
/// </summary>
public sealed partial class ClientSession
{
    private static readonly Regex HttpRequestLine = new(@"^(GET|POST|HEAD|PUT|DELETE|OPTIONS|CONNECT|PATCH|TRACE|PRI) \S+ HTTP/\d", RegexOptions.CultureInvariant);
    private const string HttpAnswer =
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: {0}\r\n\r\n{1}";
    private const string HttpBody = "This is a sockchat chat server, not a web server. Connect with 'sockchat join' or a line-based client such as nc.\n";

    /// <summary>Timestamps of <see cref="_time"/>: written by the read loop, read by the watchdog (interlocked).</summary>
    private long _lastHeardStamp;
    private readonly long _connectedStamp;
    /// <summary>Zero, or when the unanswered ping was sent: set by the watchdog, cleared by the read loop (interlocked).</summary>
    private long _pingSentStamp;
    /// <summary>The client's rate: read loop only.</summary>
    private TokenBucket _rate;
    /// <summary>Frames refused since the last one handled; read loop only.</summary>
    private int _refusedInARow;

    /// <summary>
    /// How often the server's one watchdog timer looks at every session (<see cref="Watch"/>): a
    /// quarter of the shorter deadline, between 50 ms and 5 s, and no longer than the nickname prompt delay.
    /// </summary>
    internal static TimeSpan WatchdogPeriod(ServerOptions options) => TimeSpan.FromMilliseconds(Math.Clamp(
        Math.Min(Math.Min(options.HandshakeTimeout.TotalMilliseconds, options.PingInterval.TotalMilliseconds) / 4, options.NicknamePromptDelay.TotalMilliseconds),
        50, 5000));

    /// <summary>
    /// True from the session's creation until its loops ended: the watchdog looks only at such
    /// sessions. From creation, not from when its loops start, so that the handshake deadline runs
    /// from the connect (and a test on a fake clock knows the session is watched once the server
    /// counts it). Before the loops run, what the watchdog does only queues bytes and cancels, which they then see.
    /// </summary>
    private volatile bool _watched = true;

    private TimeSpan Since(long stamp) => _time.GetElapsedTime(stamp);

    /// <summary>
    /// The watchdog's look at this session, from the server's one timer (<see cref="ChatServer"/>,
    /// on its <see cref="TimeProvider"/>; never two at once): it prompts for a nickname, enforces
    /// the handshake deadline, drops a client that stopped reading, pings and drops the silent.
    /// It touches only the timestamps, <c>_prompted</c>, <c>_closeReason</c> and the outbox; a
    /// ping goes through the hub's lock like any delivery.
    /// </summary>
    internal void Watch()
    {
        if (!_watched)
        {
            return;
        }
        var silent = Since(Interlocked.Read(ref _lastHeardStamp));
        if (Name is null)
        {
            if (!_prompted && Since(_connectedStamp) >= _options.NicknamePromptDelay)
            {
                _prompted = true;
                PromptForNickname();
            }
            if (Since(_connectedStamp) >= _options.HandshakeTimeout && _closeReason is null)
            {
                Log.HandshakeTimeout(_logger, Id, _options.HandshakeTimeout.TotalSeconds);
                SendEarlyError(new ErrorFrame("timeout", $"no {(Dialect == Dialect.Json ? "hello" : "nickname")} within {_options.HandshakeTimeout.TotalSeconds:0.#} s; goodbye"));
                CloseGracefully(LeaveReasons.Timeout, null);
            }
            return;
        }
        if (_outbox.IsStalledOverLimit)
        {
            // Stopped reading during a burst that has since ended: no new frame would notice it.
            OnOutboxOverflow();
            return;
        }
        if (Dialect != Dialect.Json)
        {
            return; // Text clients cannot answer pings; TCP keepalive finds their dead connections.
        }
        var pingSent = Interlocked.Read(ref _pingSentStamp);
        if (pingSent != 0 && Since(pingSent) >= _options.PingTimeout)
        {
            Log.IdleTimeout(_logger, Id, Name);
            Interlocked.CompareExchange(ref _closeReason, LeaveReasons.Timeout, null);
            StopNow();
        }
        else if (pingSent == 0 && silent >= _options.PingInterval)
        {
            Interlocked.Exchange(ref _pingSentStamp, _time.GetTimestamp());
            _hub.DeliverTo(this, new ServerPingFrame(FrameId.FromString("keepalive")));
        }
    }

    /// <summary>Watchdog only.</summary>
    private bool _prompted;

    private void HeardFromClient()
    {
        Interlocked.Exchange(ref _lastHeardStamp, _time.GetTimestamp());
        Interlocked.Exchange(ref _pingSentStamp, 0);
    }

    /// <summary>As <see cref="TryAcquireRate(FrameId?)"/> for a parsed frame; the answer to a server ping is free.</summary>
    private bool TryAcquireRate(ClientFrame frame) => frame is PongReplyFrame || TryAcquireRate(frame switch
    {
        SayFrame s => s.Id,
        DmFrame d => d.Id,
        PingFrame p => p.Id,
        UnknownFrame u => u.Id,
        InvalidFrame i => i.Id,
        _ => null,
    });

    /// <summary>
    /// Spends a token for one frame, or for one refused line (a line over the limit costs as much
    /// as any other, issue 9); false when the client is over its rate: the frame is refused
    /// (<c>rate_limited</c>, counted against the refusal budget) and not handled.
    /// </summary>
    private bool TryAcquireRate(FrameId? id)
    {
        if (_options.RatePerSecond <= 0)
        {
            return true;
        }
        if (_rate.TryTake(_time, _options.RatePerSecond, _options.RateBurst))
        {
            return true;
        }
        _hub.Metrics?.RateLimited();
        Refuse(new ErrorFrame(ErrorCodes.RateLimited, $"too fast: at most {_options.RatePerSecond} messages a second (bursts of {_options.RateBurst}); not delivered", id));
        return false;
    }

    /// <summary>
    /// Answers a refused frame with <paramref name="error"/> and counts it: the refusal that uses
    /// up the budget (<see cref="ServerOptions.FloodDisconnectAfter"/> in a row) is answered with
    /// a last error instead, and the client is kicked.
    /// </summary>
    private void Refuse(ErrorFrame error)
    {
        if (!CountRefusal(error.Code, error.Id))
        {
            ReplyError(error);
        }
    }

    /// <summary>
    /// One more refused frame in a row (whatever the reason: rate, length, a bad or unknown frame,
    /// an error from the hub). True when that used up the budget: the client was told and is being disconnected.
    /// </summary>
    private bool CountRefusal(string code, FrameId? id)
    {
        if (++_refusedInARow < _options.FloodDisconnectAfter || _closeReason is not null)
        {
            return _closeReason is not null;
        }
        if (MayWarn())
        {
            Log.Flooding(_logger, Id, Name ?? "-");
        }
        ReplyError(new ErrorFrame(code, $"{_refusedInARow} refused frames in a row; disconnecting", id));
        CloseGracefully(LeaveReasons.Kicked, null);
        return true;
    }

    /// <summary>An error answer in the connection's dialect (before the dialect is known: a plain line).</summary>
    private void ReplyError(ErrorFrame error)
    {
        if (Dialect == Dialect.Undecided)
        {
            SendRawText($"! {error.Code}: {error.Message}");
        }
        else
        {
            Reply(error);
        }
    }

    /// <summary>True when a warning about this client may go to the log; first reports the ones left out before it.</summary>
    private bool MayWarn()
    {
        var warnings = Volatile.Read(ref _warnings) ?? Interlocked.CompareExchange(ref _warnings, new WarningThrottle(_time), null) ?? _warnings;
        if (!warnings.TryWarn(out var suppressed))
        {
            return false;
        }
        if (suppressed > 0)
        {
            Log.WarningsSuppressed(_logger, Id, Name ?? "-", suppressed);
        }
        return true;
    }

    /// <summary>At the end of the session: the warnings that were left out and not yet reported.</summary>
    private void ReportSuppressedWarnings()
    {
        if (Volatile.Read(ref _warnings)?.TakeSuppressed() is > 0 and var suppressed)
        {
            Log.WarningsSuppressed(_logger, Id, Name ?? "-", suppressed);
        }
    }

    /// <summary>
    /// Looks at the very first bytes: a TLS ClientHello (a handshake record, 0x16, of version
    /// 3.x) on the plain port is closed at once. Null while only the 0x16 has arrived: the
    /// caller reads on, so a hello split after its first byte is still recognised.
    /// </summary>
    private bool? LooksLikeTlsHello(ReadOnlySpan<byte> first)
    {
        if (!_transport.MaySpeakAnotherProtocol || (!first.IsEmpty && first[0] != 0x16))
        {
            return false;
        }
        return first.Length < 2 ? null : first[1] == 0x03;
    }

    /// <summary>An HTTP request line as the first line gets a short HTTP answer instead of becoming a nickname.</summary>
    private bool AnswerIfHttp(string firstLine)
    {
        if (!HttpRequestLine.IsMatch(firstLine))
        {
            return false;
        }
        Log.CrossProtocol(_logger, Id, "HTTP");
        var body = Encoding.UTF8.GetByteCount(HttpBody);
        _outbox.TryEnqueue(Encoding.UTF8.GetBytes(string.Format(System.Globalization.CultureInfo.InvariantCulture, HttpAnswer, body, HttpBody)), ignoreLimit: true);
        CloseGracefully(LeaveReasons.Disconnected, null);
        return true;
    }

    /// <summary>An error that may come before the dialect is known.</summary>
    private void SendEarlyError(ErrorFrame error)
    {
        if (Dialect != Dialect.Json)
        {
            // Undecided means nothing sent yet: a JSON client would have said hello at once, so a person is likelier.
            SendRawText($"! {error.Code}: {error.Message}");
        }
        else
        {
            _outbox.TryEnqueue(JsonCodec.Encode(error), ignoreLimit: true);
        }
    }
}
