using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Sockchat.Cli;

/// <summary>Prints the usual help, then the examples of the command asked about.</summary>
internal sealed class ExamplesHelpAction(HelpAction inner, IReadOnlyDictionary<Command, string> examples) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        var code = inner.Invoke(parseResult);
        if (examples.TryGetValue(parseResult.CommandResult.Command, out var text))
        {
            parseResult.InvocationConfiguration.Output.WriteLine(text);
            parseResult.InvocationConfiguration.Output.WriteLine();
        }
        return code;
    }
}
