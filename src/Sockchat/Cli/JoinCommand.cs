using System.CommandLine;
using Sockchat.Client;
using Sockchat.Configuration;
using Sockchat.Protocol;

namespace Sockchat.Cli;

/// <summary><c>sockchat join</c>: the interactive client. Connects, then hands over to <see cref="TerminalChat"/>.</summary>
internal static class JoinCommand
{
    public const string Examples = """
        Examples:
          sockchat join --name alice
          sockchat join -n bob --room dev --host chat.example.org --port 7000
          sockchat join -n bot --json < commands.txt
        """;

    public static Command Create(Func<SettingsLoader> loader)
    {
        var common = new ClientCommandOptions(SettingCommands.Join);
        var json = new Option<bool>("--json") { Description = "Print the server's frames as raw JSON lines (for bots); typed JSON lines are sent as they are" };
        var command = new Command("join", "Chat in a room. Type a line and press Enter to send it; /help lists the commands (/who, /rooms, /join, /part, /msg, /me, /nick, /history, /quit). Leave with /quit, exit, Ctrl+D or Ctrl+C. Not on a terminal, it reads lines from stdin and prints plain lines.");
        common.AddTo(command);
        command.Options.Add(json);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            try
            {
                var settings = common.Load(parseResult, loader(), stderr);
                var clientOptions = ClientCommandOptions.ToClientOptions(settings, presence: true);
                var interactive = !Console.IsInputRedirected && !Console.IsOutputRedirected && ReferenceEquals(stdout, Console.Out);
                await using var client = await ConnectTrustingOnFirstUseAsync(clientOptions, interactive, stdout, cancellationToken);
                var color = interactive && Environment.GetEnvironmentVariable("NO_COLOR") is null;
                await using IChatScreen screen = interactive
                    ? new InteractiveScreen(stdout)
                    : new PlainScreen(Console.In, stdout);
                var chat = new TerminalChat(client,
                    (room, since, ct) => ChatClient.ConnectAsync(clientOptions with { Room = room }, since, ct),
                    screen, new Painter(TextRenderer.Local, color), parseResult.GetValue(json), settings.ReconnectFor);
                return await chat.RunAsync(cancellationToken) switch
                {
                    JoinOutcome.Quit or JoinOutcome.ServerShutdown => ExitCodes.Ok,
                    JoinOutcome.Interrupted => ExitCodes.Interrupted,
                    _ => ExitCodes.ConnectionLost,
                };
            }
            catch (Exception ex) when (ErrorReporter.IsExpected(ex))
            {
                return ErrorReporter.Report(stderr, ex);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Interrupted;
            }
        });
        return command;
    }

    /// <summary>
    /// Connects; when the server's certificate is unknown (not changed) and a person is at the
    /// terminal, shows its fingerprint and asks, as ssh does, remembering it once accepted.
    /// </summary>
    private static async Task<ChatClient> ConnectTrustingOnFirstUseAsync(ClientOptions options, bool interactive, TextWriter stdout, CancellationToken cancellationToken)
    {
        try
        {
            return await ChatClient.ConnectAsync(options, since: null, cancellationToken);
        }
        catch (UntrustedCertificateException ex) when (interactive && !ex.Changed && options.Tls is { Fingerprint: null } tls)
        {
            await stdout.WriteLineAsync($"The TLS certificate of {ex.Endpoint} is not known.");
            await stdout.WriteLineAsync($"Its SHA-256 fingerprint is {ex.Fingerprint}");
            await stdout.WriteAsync("Trust it and remember it for next time? [y/N] ");
            await stdout.FlushAsync(cancellationToken);
            var answer = Console.ReadLine()?.Trim();
            if (answer is not ("y" or "Y" or "yes"))
            {
                throw;
            }
            KnownHosts.Remember(tls.KnownHostsPath, ex.Endpoint, ex.Fingerprint);
            return await ChatClient.ConnectAsync(options, since: null, cancellationToken);
        }
    }
}
