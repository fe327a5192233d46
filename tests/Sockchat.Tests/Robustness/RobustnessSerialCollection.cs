namespace Sockchat.Tests.Robustness;

/// <summary>
/// Tests that must run alone: the CPU-bound fuzzers and the high-volume socket tests (which would
/// slow down the timing-sensitive socket tests running beside them on a small machine) and the tests that measure the whole
/// process's managed memory (which other tests' allocations would blur). xUnit runs this
/// collection after all parallel ones, one test at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RobustnessSerialCollection
{
    public const string Name = "Robustness (alone)";
}
