using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.RateLimiting;
using Sockchat.Protocol;

namespace Sockchat.Server;

/// <summary>
/// The session's defences (issue "hold up under bad input"): the TLS handshake, the handshake
/// deadline, the idle check with ping/pong, the per-client token bucket, and the detection of
/// HTTP requests and TLS hellos arriving on the plain chat port.
/// </summary>
public sealed partial class ClientSession
{
    private static readonly Regex HttpRequestLine = new(@"^(GET|POST|HEAD|PUT|DELETE|OPTIONS|CONNECT|PATCH|TRACE) \S+ HTTP/\d", RegexOptions.CultureInvariant);
    private const string HttpAnswer =
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: {0}\r\n\r\n{1}";
    private const string HttpBody = "This is a sockchat chat server, not a web server. Connect with 'sockchat join' or a line-based client such as nc.\n";

    private long _lastHeardTicks = Environment.TickCount64;
    private bool _pingOutstanding;
    private long _pingSentTicks;
    private TokenBucketRateLimiter? _limiter;
    private int _limitedInARow;

    private async Task<bool> AuthenticateTlsAsync(X509Certificate2 certificate)
    {
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        deadline.CancelAfter(_options.HandshakeTimeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                ClientCertificateRequired = false,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            }, deadline.Token);
            _stream = ssl;
            return true;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // A plain client on the TLS port, a scanner, or a peer that gave up: its problem, not the server's.
            Log.TlsFailed(_logger, Id, RemoteEndPoint?.ToString(), ex.Message);
            await ssl.DisposeAsync();
            return false;
        }
    }

    /// <summary>One timer per session: the nickname prompt and the handshake deadline, then the idle check.</summary>
    private Timer StartWatchdog()
    {
        var period = TimeSpan.FromMilliseconds(Math.Clamp(
            Math.Min(_options.HandshakeTimeout.TotalMilliseconds, _options.PingInterval.TotalMilliseconds) / 4, 50, 5000));
        var first = _options.NicknamePromptDelay < period ? _options.NicknamePromptDelay : period;
        return new Timer(static s => ((ClientSession)s!).Watch(), this, first, period);
    }

    private void Watch()
    {
        var silent = TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastHeardTicks));
        if (Name is null)
        {
            if (!_prompted && TimeSpan.FromMilliseconds(Environment.TickCount64 - _connectedTicks) >= _options.NicknamePromptDelay)
            {
                _prompted = true;
                PromptForNickname();
            }
            if (TimeSpan.FromMilliseconds(Environment.TickCount64 - _connectedTicks) >= _options.HandshakeTimeout && _closeReason is null)
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
        if (_pingOutstanding && TimeSpan.FromMilliseconds(Environment.TickCount64 - _pingSentTicks) >= _options.PingTimeout)
        {
            Log.IdleTimeout(_logger, Id, Name);
            Interlocked.CompareExchange(ref _closeReason, LeaveReasons.Timeout, null);
            TryCancel(_abort);
        }
        else if (!_pingOutstanding && silent >= _options.PingInterval)
        {
            _pingOutstanding = true;
            _pingSentTicks = Environment.TickCount64;
            Deliver(new OutboundFrame(new ServerPingFrame(FrameId.FromString("keepalive")), new TextRenderer(_options.TimeZone)));
        }
    }

    private readonly long _connectedTicks = Environment.TickCount64;
    private bool _prompted;

    private void HeardFromClient()
    {
        Interlocked.Exchange(ref _lastHeardTicks, Environment.TickCount64);
        _pingOutstanding = false;
    }

    /// <summary>Spends a token for one frame; false (after answering <c>rate_limited</c>) when the client is over its rate.</summary>
    private bool TryAcquireRate(ClientFrame frame)
    {
        if (_options.RatePerSecond <= 0 || frame is PongReplyFrame)
        {
            return true;
        }
        _limiter ??= new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, _options.RateBurst),
            TokensPerPeriod = Math.Max(1, _options.RatePerSecond / 1000),
            ReplenishmentPeriod = TimeSpan.FromSeconds(Math.Max(1, _options.RatePerSecond / 1000) / (double)_options.RatePerSecond),
            // No timer per connection: TryReplenish below adds every period that passed since the last frame.
            AutoReplenishment = false,
            QueueLimit = 0,
        });
        _limiter.TryReplenish();
        using var lease = _limiter.AttemptAcquire(1);
        if (lease.IsAcquired)
        {
            _limitedInARow = 0;
            return true;
        }
        var id = frame switch { SayFrame s => s.Id, DmFrame d => d.Id, PingFrame p => p.Id, _ => null };
        if (++_limitedInARow >= _options.FloodDisconnectAfter)
        {
            Log.Flooding(_logger, Id, Name ?? "-");
            Reply(new ErrorFrame(ErrorCodes.RateLimited, "still flooding after many warnings; disconnecting", id));
            CloseGracefully(LeaveReasons.Kicked, null);
            return false;
        }
        Reply(new ErrorFrame(ErrorCodes.RateLimited, $"too fast: at most {_options.RatePerSecond} messages a second (bursts of {_options.RateBurst}); not delivered", id));
        return false;
    }

    /// <summary>Looks at the very first bytes: a TLS ClientHello on the plain port is closed at once.</summary>
    private bool IsTlsHello(ReadOnlySpan<byte> first) => _options.Certificate is null && first.Length >= 2 && first[0] == 0x16 && first[1] == 0x03;

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
