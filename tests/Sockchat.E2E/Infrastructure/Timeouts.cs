namespace Sockchat.E2E.Infrastructure;

/// <summary>
/// Bounds for every wait in the suite. Generous on purpose: they only matter when something is
/// wrong, and a loaded CI machine can take a second or two to start a .NET process.
/// </summary>
public static class Timeouts
{
    /// <summary>For a started process to become ready (the server's <c>listening on</c>, a client's welcome).</summary>
    public static readonly TimeSpan Start = TimeSpan.FromSeconds(20);

    /// <summary>For one expected line once everything is running.</summary>
    public static readonly TimeSpan Line = TimeSpan.FromSeconds(10);

    /// <summary>For a process to exit after it was asked to (or had finished its work).</summary>
    public static readonly TimeSpan Exit = TimeSpan.FromSeconds(15);

    /// <summary>The <c>[Fact(Timeout = …)]</c> of a test: several of the waits above, never reached when green.</summary>
    public const int Test = 60_000;
}
