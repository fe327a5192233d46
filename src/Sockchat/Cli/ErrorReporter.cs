using Sockchat.Client;
using Sockchat.Configuration;

namespace Sockchat.Cli;

/// <summary>Turns the expected failures into one clean line on stderr and their exit code. Anything else is a bug and keeps its stack trace.</summary>
internal static class ErrorReporter
{
    public static int Report(TextWriter stderr, Exception exception) => exception switch
    {
        ConfigurationException e => Fail(stderr, ExitCodes.Usage, e.Message),
        ChatServerUnreachableException e => Fail(stderr, ExitCodes.CannotConnect, e.Message),
        ChatRefusedException e => Fail(stderr, ExitCodes.Refused, $"refused by the server: {e.Code}: {e.Message}"),
        ChatTimeoutException e => Fail(stderr, ExitCodes.TimedOut, e.Message),
        ConnectionLostException e => Fail(stderr, ExitCodes.ConnectionLost, e.Message),
        _ => throw exception,
    };

    public static bool IsExpected(Exception exception) =>
        exception is ConfigurationException or ChatServerUnreachableException or ChatRefusedException
            or ChatTimeoutException or ConnectionLostException;

    public static int Fail(TextWriter stderr, int code, string message)
    {
        stderr.WriteLine($"sockchat: {message}");
        return code;
    }

    public static void Warn(TextWriter stderr, IEnumerable<string> warnings)
    {
        foreach (var warning in warnings)
        {
            stderr.WriteLine($"sockchat: warning: {warning}");
        }
    }
}
