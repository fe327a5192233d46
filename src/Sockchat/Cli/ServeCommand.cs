using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Sockchat.Client;
using Sockchat.Configuration;
using Sockchat.Server;

namespace Sockchat.Cli;

/// <summary><c>sockchat serve</c>: loads the settings, runs <see cref="ChatServer"/> until Ctrl+C or SIGTERM.</summary>
internal static class ServeCommand
{
    public const string Examples = """
        Examples:
          sockchat serve                              # 127.0.0.1:7070
          sockchat serve --host 0.0.0.0 --port 7000   # reachable from other machines
          sockchat serve --port 0                     # any free port; read it from stdout
          SOCKCHAT_PORT=7001 sockchat serve --motd "be nice"
        """;

    public static Command Create(Func<SettingsLoader> loader)
    {
        var settingOptions = new SettingOptions(SettingCommands.Serve);
        var config = CommonOptions.Config();
        var command = new Command("serve", "Start a chat server. It prints 'listening on HOST:PORT' on stdout once it accepts connections, logs to stderr, and on Ctrl+C or SIGTERM tells every client and exits 0.");
        settingOptions.AddTo(command);
        command.Options.Add(config);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            ServeSettings settings;
            ServerOptions options;
            try
            {
                var layers = loader().Load(settingOptions.Typed(parseResult), parseResult.GetValue(config));
                ErrorReporter.Warn(stderr, layers.Warnings);
                settings = SettingsBinder.Serve(layers);
                options = await BuildOptionsAsync(settings, cancellationToken);
            }
            catch (ConfigurationException ex)
            {
                return ErrorReporter.Fail(stderr, ExitCodes.Usage, ex.Message);
            }

            using var loggerFactory = Logging.Create(settings.LogLevel);
            await using var server = new ChatServer(options, loggerFactory);
            try
            {
                await server.StartAsync(cancellationToken);
            }
            catch (SocketException ex)
            {
                return ErrorReporter.Fail(stderr, ExitCodes.Usage, $"cannot listen on {options.EndPoint}: {ex.Message}");
            }
            catch (HistoryException ex)
            {
                return ErrorReporter.Fail(stderr, ExitCodes.Usage, ex.Message);
            }
            if (options.Certificate is { } certificate)
            {
                // Clients pin this with --tls-fingerprint; printed before the ready line so scripts can read both.
                await stdout.WriteLineAsync($"tls fingerprint {TrustPolicy.FingerprintOf(certificate)}");
            }
            await stdout.WriteLineAsync($"listening on {server.LocalEndPoint}");
            IAsyncDisposable? web = null;
            if (!settings.WebDisabled)
            {
                try
                {
                    web = await StartWebAsync(server, options, settings, loggerFactory, stdout, cancellationToken);
                }
                catch (IOException ex)
                {
                    return ErrorReporter.Fail(stderr, ExitCodes.Usage,
                        $"cannot listen on web port {settings.WebPort}: {ex.Message}. Choose another with --web-port, or --no-web for none");
                }
            }
            await using var _ = web;
            await stdout.FlushAsync(CancellationToken.None);
            try
            {
                await server.RunAsync(cancellationToken);
            }
            catch (ServerFaultException ex)
            {
                // Logged at Critical with its cause; the exit code tells supervisors it was not a clean stop.
                return ErrorReporter.Fail(stderr, ExitCodes.InternalError, ex.Message);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// The web port (issue 10): the page and <c>/ws</c> (each WebSocket a session of
    /// <paramref name="server"/> like any other), <c>/healthz</c> and <c>/metrics</c>, with the chat
    /// port's certificate if it has one. Prints <c>web on URL</c> after <c>listening on</c>.
    /// Returned as IAsyncDisposable so that no ASP.NET Core type appears in serve's action itself.
    /// </summary>
    /// <exception cref="IOException">the web port cannot be bound</exception>
    private static async Task<IAsyncDisposable> StartWebAsync(ChatServer server, ServerOptions options, ServeSettings settings,
        Microsoft.Extensions.Logging.ILoggerFactory loggerFactory, TextWriter stdout, CancellationToken cancellationToken)
    {
        var web = new Web.WebFrontEnd(new Web.WebFrontEndOptions
        {
            EndPoint = new IPEndPoint(server.LocalEndPoint.Address, settings.WebPort),
            Certificate = options.Certificate,
            AllowedOrigins = settings.WebAllowedOrigins,
        }, loggerFactory, () => server.Healthy, (socket, batch, remote, _) => Web.WebSessions.RunAsync(server, socket, batch, remote));
        try
        {
            await web.StartAsync(cancellationToken);
        }
        catch
        {
            await web.DisposeAsync();
            throw;
        }
        await stdout.WriteLineAsync($"web on {web.Url}");
        return web;
    }

    /// <summary>Turns validated settings into server options: resolves the address, loads or makes the certificate.</summary>
    /// <exception cref="ConfigurationException">the host does not resolve or the certificate cannot be loaded</exception>
    private static async Task<ServerOptions> BuildOptionsAsync(ServeSettings settings, CancellationToken cancellationToken)
    {
        IPAddress address;
        try
        {
            address = await ResolveAsync(settings.Host, cancellationToken);
        }
        catch (SocketException)
        {
            throw new ConfigurationException($"cannot listen on '{settings.Host}': no such host or address");
        }
        Server.Cluster.ClusterOptions? cluster = null;
        if (settings.Cluster is { } connection)
        {
            try
            {
                cluster = new Server.Cluster.ClusterOptions
                {
                    ConnectionString = Server.Cluster.ClusterConnection.ToConnectionString(connection),
                    Lease = TimeSpan.FromSeconds(settings.ClusterLeaseSeconds),
                };
            }
            catch (ArgumentException ex)
            {
                throw new ConfigurationException($"cluster: cannot read the PostgreSQL connection: {ex.Message}");
            }
        }
        var certificate = settings.TlsSelfSigned ? TlsCertificates.CreateSelfSigned(settings.Host)
            : settings.TlsCert is not null ? TlsCertificates.Load(settings.TlsCert, settings.TlsKey)
            : null;
        return new ServerOptions
        {
            EndPoint = new IPEndPoint(address, settings.Port),
            Version = VersionInfo.Version,
            MaxClients = settings.MaxClients,
            MaxLineBytes = settings.MaxLineBytes,
            OutboxMaxBytes = settings.OutboxMaxBytes,
            HistoryReplay = settings.HistoryReplay,
            MaxRooms = settings.MaxRooms,
            MaxRoomsPerClient = settings.MaxRoomsPerClient,
            Motd = settings.Motd,
            Password = settings.Password,
            Certificate = certificate,
            MaxConnectionsPerAddress = settings.MaxConnectionsPerAddress,
            RatePerSecond = settings.RatePerSecond,
            RateBurst = settings.RateBurst,
            HandshakeTimeout = TimeSpan.FromSeconds(settings.HandshakeTimeoutSeconds),
            PingInterval = TimeSpan.FromSeconds(settings.PingIntervalSeconds),
            PingTimeout = TimeSpan.FromSeconds(Math.Max(1, settings.PingIntervalSeconds / 2)),
            Cluster = cluster,
            History = new HistoryOptions
            {
                Path = settings.HistoryDb,
                MaxMessagesPerRoom = settings.HistoryMaxMessages,
                MaxTotalMessages = settings.HistoryMaxTotalMessages,
                MaxAge = settings.HistoryMaxAgeDays > 0 ? TimeSpan.FromDays(settings.HistoryMaxAgeDays) : null,
            },
        };
    }

    private static async Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            return address;
        }
        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new SocketException((int)SocketError.HostNotFound);
    }
}
