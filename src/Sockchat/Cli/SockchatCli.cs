using System.CommandLine;
using System.CommandLine.Help;
using Sockchat.Configuration;

namespace Sockchat.Cli;

/// <summary>The composition root: builds the command tree and runs it with sockchat's exit-code conventions.</summary>
public static class SockchatCli
{
    private const string RootExamples = """
        Examples:
          sockchat serve                      # start a server on 127.0.0.1:7070
          sockchat join --name alice          # chat from a terminal
          sockchat say --name ci "deployed"   # post from a script
          nc 127.0.0.1 7070                   # any line-based TCP client works too

        Exit codes: 0 ok, 1 internal error, 2 usage or configuration, 3 cannot connect,
        4 refused by the server, 5 timed out, 6 connection lost, 130 interrupted.
        """;

    public static RootCommand BuildRoot(Func<SettingsLoader>? loader = null)
    {
        loader ??= () => new SettingsLoader();
        var serve = ServeCommand.Create(loader);
        var join = JoinCommand.Create(loader);
        var say = SayCommand.Create(loader);
        var root = new RootCommand("sockchat: chat over plain TCP sockets. One server, a terminal client, and a one-shot sender for scripts.")
        {
            serve, join, say,
        };
        var help = root.Options.OfType<HelpOption>().Single();
        var helpAction = new ExamplesHelpAction((HelpAction)help.Action!, new Dictionary<Command, string>
        {
            [root] = RootExamples,
            [serve] = ServeCommand.Examples,
            [join] = JoinCommand.Examples,
            [say] = SayCommand.Examples,
        });
        help.Action = helpAction;
        // Plain `sockchat` shows the help, and exits 2 as for any incomplete command line.
        root.SetAction(parseResult =>
        {
            helpAction.Invoke(parseResult);
            return ExitCodes.Usage;
        });
        return root;
    }

    /// <summary>Parses and runs. Usage errors print one line and exit 2 (not System.CommandLine's default of 1).</summary>
    /// <remarks>Not an async method: one state machine less to JIT-compile at every start (see <c>Program</c>).</remarks>
    public static Task<int> RunAsync(string[] args, InvocationConfiguration? configuration = null, Func<SettingsLoader>? loader = null)
    {
        configuration ??= new InvocationConfiguration();
        // Longer than the server's shutdown timeout, so a graceful stop is never cut short.
        configuration.ProcessTerminationTimeout = TimeSpan.FromSeconds(8);
        var parseResult = BuildRoot(loader).Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            var command = parseResult.CommandResult.Command;
            var name = command is RootCommand ? "sockchat" : $"sockchat {command.Name}";
            configuration.Error.WriteLine($"sockchat: {parseResult.Errors[0].Message} Run '{name} --help' for usage.");
            return Task.FromResult(ExitCodes.Usage);
        }
        return parseResult.InvokeAsync(configuration);
    }
}
