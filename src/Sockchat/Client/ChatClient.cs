using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Sockchat.Protocol;

namespace Sockchat.Client;

/// <summary>One line received from the server: its raw text and, when it is a known JSON frame, the frame.</summary>
public sealed record ReceivedLine(string Raw, ServerFrame? Frame);

/// <summary>
/// A JSON-dialect connection to a sockchat server, shared by <c>join</c> and <c>say</c>.
/// <see cref="ConnectAsync"/> connects, says hello and waits for <c>welcome</c> (or the refusal);
/// then the owner reads with <see cref="ReceiveAsync"/> from one loop and sends with
/// <see cref="SendAsync"/> from any. The owner disposes it.
/// </summary>
public sealed class ChatClient : IAsyncDisposable
{
    // Server lines can be large (a history page), so the client's own limit is generous.
    private const int MaxIncomingLineBytes = 64 * 1024 * 1024;

    // The first read buffer; it doubles while a line does not fit (the framer caps a line at MaxIncomingLineBytes).
    private const int InitialBufferBytes = 4096;

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly LineFramer _framer = new(MaxIncomingLineBytes);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    // Received bytes not yet framed are _buffer[_start.._end]. A plain buffer rather than a PipeReader:
    // the same lines with less start-up work (Pipelines' generic async machinery is JIT-compiled at
    // every start, which a one-shot `say` notices).
    private byte[] _buffer = new byte[InitialBufferBytes];
    private int _start;
    private int _end;
    private bool _completed;

    private ChatClient(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
        Welcome = null!;
    }

    public WelcomeFrame Welcome { get; private set; }

    /// <summary>The welcome's raw line (for <c>join --json</c>).</summary>
    public string WelcomeLine { get; private set; } = "";

    /// <summary>Connects and completes the hello/welcome exchange.</summary>
    /// <exception cref="ChatServerUnreachableException">nothing listens there, or the name does not resolve</exception>
    /// <exception cref="ChatRefusedException">the server answered the hello with an error</exception>
    /// <exception cref="ChatTimeoutException">no answer within <see cref="ClientOptions.Timeout"/></exception>
    public static Task<ChatClient> ConnectAsync(ClientOptions options, IReadOnlyDictionary<string, long>? since, CancellationToken cancellationToken) =>
        ConnectAsync(options, since, TimeProvider.System, cancellationToken);

    /// <summary>As <see cref="ConnectAsync(ClientOptions, IReadOnlyDictionary{string, long}?, CancellationToken)"/>, with <see cref="ClientOptions.Timeout"/> measured on <paramref name="time"/>.</summary>
    public static async Task<ChatClient> ConnectAsync(ClientOptions options, IReadOnlyDictionary<string, long>? since, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        // One deadline for the whole exchange: connect, TLS handshake, hello and welcome.
        using var deadline = new CancellationTokenSource(options.Timeout, time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            await socket.ConnectAsync(options.Host, options.Port, timeout.Token);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new ChatServerUnreachableException(
                $"cannot connect to {options.Host}:{options.Port}: {Describe(ex)}. Is 'sockchat serve' running there?", ex);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new ChatServerUnreachableException($"cannot connect to {options.Host}:{options.Port}: no answer within {options.Timeout.TotalSeconds:0} s");
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (options.Tls is { } tls)
        {
            stream = await AuthenticateAsync(stream, options, tls, timeout.Token, cancellationToken);
        }
        var client = new ChatClient(socket, stream);
        try
        {
            await client.SendAsync(new HelloFrame(options.Name, options.Room, options.Password, options.Presence, since), timeout.Token);
            await client.AwaitWelcomeAsync(timeout.Token);
            return client;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await client.DisposeAsync();
            throw new ChatTimeoutException($"{options.Host}:{options.Port} accepted the connection but did not answer within {options.Timeout.TotalSeconds:0} s");
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    private static async Task<Stream> AuthenticateAsync(Stream stream, ClientOptions options, TlsClientOptions tls,
        CancellationToken timeout, CancellationToken cancellationToken)
    {
        var endpoint = $"{options.Host}:{options.Port}";
        var policy = new TrustPolicy(tls, endpoint);
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, certificate, _, errors) => policy.Validate(certificate, errors));
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = options.Host }, timeout);
            return ssl;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            await ssl.DisposeAsync();
            if (policy.Failure is { } untrusted)
            {
                throw untrusted;
            }
            throw new ChatServerUnreachableException(
                $"TLS handshake with {endpoint} failed ({ex.Message.TrimEnd('.')}). Is the server using TLS? (leave out --tls for a plain server)", ex);
        }
    }

    private async Task AwaitWelcomeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await ReceiveAsync(cancellationToken)
                ?? throw new ChatServerUnreachableException(
                    "the server closed the connection before welcoming us. If it uses TLS, connect with --tls.");
            switch (line.Frame)
            {
                case WelcomeFrame welcome:
                    Welcome = welcome;
                    WelcomeLine = line.Raw;
                    return;
                case ErrorFrame error:
                    throw new ChatRefusedException(error.Code, error.Message);
            }
            // Anything else before welcome (the text prompt for nc users) is ignored, as the protocol says.
        }
    }

    private static string Describe(SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "unknown host",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "unreachable",
        SocketError.TimedOut => "timed out",
        _ => ex.Message,
    };

    /// <summary>Sends one frame. Safe to call from several tasks.</summary>
    public Task SendAsync(ClientFrame frame, CancellationToken cancellationToken) => SendRawAsync(JsonCodec.Encode(frame), cancellationToken);

    /// <summary>Sends bytes that are already one encoded line (ending in \n).</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> line, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(line, cancellationToken);
        }
        catch (IOException ex)
        {
            throw new ConnectionLostException("the connection to the server was lost", ex);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>The next line from the server, or null once the server has closed the connection.</summary>
    /// <exception cref="ConnectionLostException">the connection broke (reset)</exception>
    public async Task<ReceivedLine?> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_end > _start)
            {
                var buffer = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
                var found = _framer.TryReadLine(ref buffer, out var line);
                var text = found == FrameResult.Line ? TextSanitizer.Decode(line) : null;
                // What the framer consumed: the line and its ending, or an over-long line's bytes it discards.
                _start = _end - (int)buffer.Length;
                if (text is not null)
                {
                    var frame = JsonCodec.ParseServerFrame(text);
                    if (frame is ServerPingFrame ping)
                    {
                        // The server checks we are alive; answering is part of the protocol, not the caller's business.
                        await SendAsync(new PongReplyFrame(ping.Id), cancellationToken);
                    }
                    return new ReceivedLine(text, frame);
                }
            }
            if (_completed)
            {
                // Closed: nothing, or a last line without its newline (the connection ended mid-line).
                _start = _end = 0;
                return null;
            }
            MakeRoom();
            int read;
            try
            {
                read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                throw new ConnectionLostException("the connection to the server was lost", ex);
            }
            if (read == 0)
            {
                _completed = true;
            }
            _end += read;
        }
    }

    /// <summary>Makes space after <see cref="_end"/>: moves the unframed bytes to the front, and doubles the buffer when they fill it.</summary>
    private void MakeRoom()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        if (_end < _buffer.Length)
        {
            return;
        }
        var pending = _end - _start;
        var target = pending < _buffer.Length ? _buffer : new byte[(int)Math.Min((long)_buffer.Length * 2, Array.MaxLength)];
        Buffer.BlockCopy(_buffer, _start, target, 0, pending);
        _buffer = target;
        _start = 0;
        _end = pending;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        await _stream.DisposeAsync();
        _sendLock.Dispose();
    }
}
