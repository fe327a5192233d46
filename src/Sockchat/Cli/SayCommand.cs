using System.CommandLine;
using System.Runtime.CompilerServices;
using Sockchat.Client;
using Sockchat.Configuration;

namespace Sockchat.Cli;

/// <summary><c>sockchat say</c>: posts from arguments or stdin through <see cref="OneShotSender"/>, exits once all are acknowledged.</summary>
internal static class SayCommand
{
    public const string Examples = """
        Examples:
          sockchat say --name ci "build 1234 passed"
          sockchat say -n ci --room deploys "rolled out v2.1"
          sockchat say -n alice --to bob "lunch?"
          tail -n 3 build.log | sockchat say -n ci
        """;

    public static Command Create(Func<SettingsLoader> loader)
    {
        var common = new ClientCommandOptions(SettingCommands.Say);
        var to = new Option<string>("--to") { Description = "Send a private message to this user instead of the room", HelpName = "name" };
        var text = new Argument<string[]>("text") { Description = "The message; with none, every line of stdin is one message", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("say", "Post messages without joining: as one message from the arguments, or one message per line of stdin, in order. Exits 0 only once the server has acknowledged every message.");
        common.AddTo(command);
        command.Options.Add(to);
        command.Arguments.Add(text);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stderr = parseResult.InvocationConfiguration.Error;
            try
            {
                var settings = common.Load(parseResult, loader(), stderr);
                var words = parseResult.GetValue(text) ?? [];
                var target = parseResult.GetValue(to);
                await using var client = await ChatClient.ConnectAsync(ClientCommandOptions.ToClientOptions(settings, presence: false), since: null, cancellationToken);
                var sender = new OneShotSender(client, settings.Room, target, settings.Timeout);
                var messages = words.Length > 0 ? One(string.Join(' ', words)) : Lines(Console.In, cancellationToken);
                var report = await sender.SendAllAsync(messages, cancellationToken);
                foreach (var refusal in report.Refusals)
                {
                    await stderr.WriteLineAsync($"sockchat: {refusal}");
                }
                return report.Refusals.Count == 0 ? ExitCodes.Ok : ExitCodes.Refused;
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

#pragma warning disable CS1998 // an async iterator over one value
    private static async IAsyncEnumerable<string> One(string message)
    {
        yield return message;
    }
#pragma warning restore CS1998

    private static async IAsyncEnumerable<string> Lines(TextReader input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await input.ReadLineAsync(cancellationToken) is { } line)
        {
            yield return line;
        }
    }
}
