namespace Sockchat.Cli;

/// <summary>The process exit codes, as documented in the README (and in DESIGN.md).</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int InternalError = 1;
    public const int Usage = 2;
    public const int CannotConnect = 3;
    public const int Refused = 4;
    public const int TimedOut = 5;
    public const int ConnectionLost = 6;
    public const int Interrupted = 130;
}
