using Sockchat.Bench;

// Completions run on the socket engine's own thread instead of hopping to the thread pool: the
// generator gets one core, and the hop would cost more than the short line handlers it runs.
// Must be set before the first socket is made; DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 opts out.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.Out.WriteLine(BenchOptionsParser.Usage);
    return 0;
}

BenchOptions options;
try
{
    options = BenchOptionsParser.Parse(args);
}
catch (BenchUsageException ex)
{
    Console.Error.WriteLine($"sockchat-bench: {ex.Message}");
    Console.Error.WriteLine(BenchOptionsParser.Usage);
    return 2;
}

// A last resort: the run bounds itself, but a wedged close must still not outlive the limit by much
// (the slow-reader check comes after the run: its grace and drain are added).
var afterRun = options.StopReader is null ? TimeSpan.Zero : TimeSpan.FromSeconds(options.StopReaderGraceSeconds + options.StopReaderDrainSeconds);
using var watchdog = new Timer(_ =>
{
    Console.Error.WriteLine("sockchat-bench: time limit passed and the run did not end; exiting");
    Environment.Exit(4);
}, null, options.TimeLimit + afterRun + TimeSpan.FromSeconds(15), Timeout.InfiniteTimeSpan);

using var generator = new LoadGenerator(options, Console.Error);
BenchReport report;
try
{
    report = await generator.RunAsync();
}
catch (BenchUsageException ex)
{
    Console.Error.WriteLine($"sockchat-bench: {ex.Message}");
    return 2;
}
catch (System.Net.Sockets.SocketException ex)
{
    Console.Error.WriteLine($"sockchat-bench: cannot resolve --host {options.Host}: {ex.Message}");
    return 2;
}
Console.Error.WriteLine(ReportFormatter.ToSummary(report));
Console.Out.WriteLine(ReportFormatter.ToJsonLine(report));
return report.ExitCode;
