namespace Sockchat.Bench;

/// <summary>A command line the generator cannot run: the message says which option and why.</summary>
public sealed class BenchUsageException(string message) : Exception(message);
