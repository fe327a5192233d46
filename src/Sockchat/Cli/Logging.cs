using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Sockchat.Cli;

/// <summary>Builds the logger factory: single-line console logs, all of them on stderr (stdout is for data).</summary>
internal static class Logging
{
    public static ILoggerFactory Create(string level) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(Enum.Parse<LogLevel>(level, ignoreCase: true));
        builder.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss ";
            options.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        builder.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
    });
}
