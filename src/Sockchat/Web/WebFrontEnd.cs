using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Sockchat.Server.Transports;

namespace Sockchat.Web;

/// <summary>
/// The web port (issue 10): Kestrel serving the embedded page, <c>GET /healthz</c>, and <c>/ws</c>,
/// a WebSocket (subprotocol <c>sockchat.v1</c>) handed to <c>runSession</c>, which speaks the JSON
/// dialect over it and returns when the session is over.
/// Lifetime: owned by <c>serve</c>, which calls <see cref="StartAsync"/> after the chat port listens
/// and <see cref="StopAsync"/> once the chat server has said <c>shutdown</c> to everyone. ASP.NET's
/// own host lifetime is replaced by one that does nothing, so Ctrl+C and SIGTERM stay with
/// <c>serve</c> (System.CommandLine) and are never handled twice.
/// <para>
/// A <c>/ws</c> connection is wrapped in a <see cref="FrameBatchStream"/> (through
/// <see cref="BatchingUpgradeFeature"/>) and handed to <c>runSession</c> with the socket, so that its
/// transport can send a batch of frames in one write.
/// </para>
/// </summary>
public sealed class WebFrontEnd(
    WebFrontEndOptions options,
    ILoggerFactory loggerFactory,
    Func<bool> acceptingChat,
    Func<WebSocket, FrameBatchStream?, IPEndPoint?, CancellationToken, Task> runSession) : IAsyncDisposable
{
    /// <summary>The WebSocket subprotocol a client must ask for; the JSON dialect of docs/protocol.md, version 1.</summary>
    public const string Subprotocol = "sockchat.v1";

    private const string WebSocketPath = "/ws";

    /// <summary>Sent with every response, the page's files and errors alike.</summary>
    internal static readonly KeyValuePair<string, string>[] SecurityHeaders =
    [
        new("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'"),
        new("X-Content-Type-Options", "nosniff"),
        new("Referrer-Policy", "no-referrer"),
    ];

    private readonly ILogger _logger = loggerFactory.CreateLogger("sockchat.web");
    private readonly CancellationTokenSource _stopping = new();
    private readonly StaticPage _page = StaticPage.Load();
    private readonly OriginPolicy _origins = new(options.AllowedOrigins, IPAddress.IsLoopback(options.EndPoint.Address));
    private WebApplication? _app;

    /// <summary>The page's address, e.g. <c>http://127.0.0.1:7071/</c>; valid after <see cref="StartAsync"/> (the real port also for port 0).</summary>
    public Uri Url { get; private set; } = new("http://unstarted/");

    /// <summary>Binds and starts serving. Throws (an <see cref="IOException"/> wrapping a <see cref="SocketException"/>, typically) when the port cannot be bound.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = "sockchat",
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // sockchat's settings come from its own layers (flags, SOCKCHAT_*, chat.json): no
        // appsettings.json or ASPNETCORE_* variable from wherever serve was started may change the web port.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(loggerFactory));
        // Kestrel and the hosting layer log every request at Information; only their warnings matter here.
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddSingleton<IHostLifetime, ServeOwnedLifetime>();
        // GET /metrics: the chat server's instruments (Server/ServerMetrics.cs), formatted by the exporter, not by hand.
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("sockchat"))
            .WithMetrics(metrics => metrics.AddMeter(Sockchat.Server.ServerMetrics.MeterName).AddPrometheusExporter());
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        if (options.Certificate is not null)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
        }
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(options.EndPoint, listen =>
            {
                if (options.Certificate is { } certificate)
                {
                    listen.UseHttps(certificate);
                }
            });
        });

        var app = builder.Build();
        app.Use(AddSecurityHeaders);
        app.UseOpenTelemetryPrometheusScrapingEndpoint("/metrics");
        // Before UseWebSockets, which takes the upgrade feature as the request passes it.
        app.Use((context, next) => BatchingUpgradeFeature.InstallAsync(context, next, WebSocketPath));
        app.UseWebSockets(new WebSocketOptions
        {
            KeepAliveInterval = options.KeepAliveInterval,
            KeepAliveTimeout = options.KeepAliveTimeout,
        });
        app.Run(HandleAsync);
        await app.StartAsync(cancellationToken);
        _app = app;
        Url = BoundUrl(app);
        WebLog.Listening(_logger, Url.ToString(), _page.Count);
    }

    /// <summary>Asks every open session to end, then stops Kestrel, waiting up to the shutdown timeout.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not { } app)
        {
            return;
        }
        _app = null;
        await _stopping.CancelAsync();
        await app.StopAsync(cancellationToken);
        await app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stopping.Dispose();
    }

    private Uri BoundUrl(WebApplication app)
    {
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        var port = bound is not null ? new Uri(bound.Replace("[::]", "[::1]", StringComparison.Ordinal)).Port : options.EndPoint.Port;
        var address = options.EndPoint.Address;
        var host = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        return new Uri($"{(options.Certificate is null ? "http" : "https")}://{host}:{port}/");
    }

    private static Task AddSecurityHeaders(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        foreach (var (name, value) in SecurityHeaders)
        {
            headers[name] = value;
        }
        return next(context);
    }

    private Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        return path switch
        {
            WebSocketPath => AcceptSessionAsync(context),
            "/healthz" => HealthAsync(context),
            _ => ServeFileAsync(context, path),
        };
    }

    private Task HealthAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            return PlainAsync(context, StatusCodes.Status405MethodNotAllowed, "use GET\n");
        }
        context.Response.Headers.CacheControl = "no-store";
        return acceptingChat()
            ? PlainAsync(context, StatusCodes.Status200OK, "ok\n")
            : PlainAsync(context, StatusCodes.Status503ServiceUnavailable, "not accepting chat connections\n");
    }

    private Task ServeFileAsync(HttpContext context, string path)
    {
        var request = context.Request;
        var head = HttpMethods.IsHead(request.Method);
        if (!head && !HttpMethods.IsGet(request.Method))
        {
            context.Response.Headers.Allow = "GET, HEAD";
            return PlainAsync(context, StatusCodes.Status405MethodNotAllowed, "use GET\n");
        }
        if (!_page.TryGet(path, out var file))
        {
            return PlainAsync(context, StatusCodes.Status404NotFound, "not found\n");
        }
        var response = context.Response;
        response.Headers.ETag = file.ETag;
        // Revalidate every time: a newer tool serves a newer page under the same names.
        response.Headers.CacheControl = "no-cache";
        if (request.Headers.IfNoneMatch.Contains(file.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.ContentType = file.ContentType;
        response.ContentLength = file.Content.Length;
        return head ? Task.CompletedTask : response.Body.WriteAsync(file.Content, context.RequestAborted).AsTask();
    }

    private async Task AcceptSessionAsync(HttpContext context)
    {
        var request = context.Request;
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await PlainAsync(context, StatusCodes.Status400BadRequest, $"/ws takes a WebSocket with subprotocol {Subprotocol}\n");
            return;
        }
        var origin = request.Headers.Origin.ToString();
        if (!_origins.Allows(origin, request.Scheme, request.Host.HasValue ? request.Host.Value : null))
        {
            WebLog.OriginRefused(_logger, origin, request.Host.Value, context.Connection.RemoteIpAddress?.ToString());
            await PlainAsync(context, StatusCodes.Status403Forbidden, "this origin may not open a chat session here\n");
            return;
        }
        if (!context.WebSockets.WebSocketRequestedProtocols.Contains(Subprotocol))
        {
            await PlainAsync(context, StatusCodes.Status400BadRequest, $"ask for the WebSocket subprotocol {Subprotocol}\n");
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = Subprotocol,
            KeepAliveInterval = options.KeepAliveInterval,
            KeepAliveTimeout = options.KeepAliveTimeout,
        });
        var remote = context.Connection.RemoteIpAddress is { } ip ? new IPEndPoint(ip, context.Connection.RemotePort) : null;
        using var session = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            await runSession(socket, BatchingUpgradeFeature.Of(context), remote, session.Token);
        }
        catch (OperationCanceledException) when (session.IsCancellationRequested)
        {
            // The browser went away or the web port is stopping: a normal end.
        }
        catch (WebSocketException ex)
        {
            WebLog.SessionReset(_logger, remote?.ToString(), ex.Message);
        }
        catch (Exception ex)
        {
            // One session's failure is logged and ends that session only.
            WebLog.SessionFailed(_logger, remote?.ToString(), ex);
        }
    }

    private static Task PlainAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(text, context.RequestAborted);
    }

    /// <summary>The host lifetime for a web port that <c>serve</c> owns: no console or signal handling at all.</summary>
    private sealed class ServeOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Sends ASP.NET Core's log events to serve's own logger factory (stderr, serve's level).</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

        public void Dispose()
        {
            // serve owns the factory.
        }
    }
}
