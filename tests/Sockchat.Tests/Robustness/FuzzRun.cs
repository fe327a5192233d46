using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Sockchat.Tests.Robustness;

/// <summary>
/// One fuzzing run: a seeded <see cref="System.Random"/> (logged, and taken from
/// <c>SOCKCHAT_FUZZ_SEED</c> when set, to replay a failure), a budget of cases and time, and a
/// record of what went wrong. Each case runs inside <see cref="Check"/>, so one failure does not
/// hide the others; <see cref="AssertClean"/> then fails the test with the seed and one example
/// of each distinct problem.
/// </summary>
internal sealed class FuzzRun
{
    public const string SeedVariable = "SOCKCHAT_FUZZ_SEED";
    private const int MaxExamples = 12;
    private static readonly TimeSpan SlowCall = TimeSpan.FromSeconds(1);

    private readonly ITestOutputHelper _output;
    private readonly string _target;
    private readonly int _maxCases;
    private readonly TimeSpan _maxTime;
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private readonly Dictionary<string, string> _problems = new(StringComparer.Ordinal);
    private int _failures;

    public FuzzRun(ITestOutputHelper output, string target, int maxCases = 20_000, TimeSpan? maxTime = null)
    {
        _output = output;
        _target = target;
        _maxCases = maxCases;
        _maxTime = maxTime ?? TimeSpan.FromSeconds(5);
        var fromEnvironment = Environment.GetEnvironmentVariable(SeedVariable);
        Seed = int.TryParse(fromEnvironment, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : Random.Shared.Next();
        Random = new Random(Seed);
        output.WriteLine($"{target}: seed {Seed} (replay with {SeedVariable}={Seed})");
    }

    public int Seed { get; }

    public Random Random { get; }

    public int Cases { get; private set; }

    /// <summary>True while the budget allows another case; counts it.</summary>
    public bool NextCase()
    {
        if (Cases >= _maxCases || _elapsed.Elapsed >= _maxTime)
        {
            return false;
        }
        Cases++;
        return true;
    }

    /// <summary>Runs one call on one input: an exception, or a call that takes over a second, is recorded against <paramref name="component"/>.</summary>
    public void Check(string component, string input, Action call)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            call();
        }
        catch (Exception ex)
        {
            Fail(component, input, $"threw {ex.GetType().Name}: {ex.Message}");
            return;
        }
        var took = Stopwatch.GetElapsedTime(started);
        if (took > SlowCall)
        {
            Fail(component, input, $"took {took.TotalMilliseconds:0} ms");
        }
    }

    /// <summary>Records a broken property. Problems are grouped by component and text, one example kept each.</summary>
    public void Fail(string component, string input, string problem)
    {
        _failures++;
        _problems.TryAdd($"{component}: {problem}", Show(input));
    }

    public void AssertClean()
    {
        _output.WriteLine($"{_target}: {Cases} cases in {_elapsed.ElapsedMilliseconds} ms, {_failures} failures");
        if (_failures == 0)
        {
            return;
        }
        var examples = _problems.Take(MaxExamples).Select(p => $"  {p.Key}{Environment.NewLine}    input: {p.Value}");
        throw new XunitException(
            $"{_target}: {_failures} failed checks in {Cases} cases ({_problems.Count} distinct problems; seed {Seed}, replay with {SeedVariable}={Seed}):" +
            Environment.NewLine + string.Join(Environment.NewLine, examples));
    }

    /// <summary>An input as C# string literal text: printable ASCII as is, everything else escaped; long inputs cut.</summary>
    public static string Show(string input)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in input.Length > 200 ? input[..200] : input)
        {
            sb.Append(c is >= ' ' and <= '~' and not '"' and not '\\' ? c.ToString() : $"\\u{(int)c:X4}");
        }
        sb.Append('"');
        if (input.Length > 200)
        {
            sb.Append(CultureInfo.InvariantCulture, $"… ({input.Length} chars)");
        }
        return sb.ToString();
    }

    public static string Show(byte[] input) =>
        Convert.ToHexString(input.Length > 100 ? input[..100] : input) + (input.Length > 100 ? $"… ({input.Length} bytes)" : "");
}
