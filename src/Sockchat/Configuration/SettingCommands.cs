namespace Sockchat.Configuration;

/// <summary>The commands that read a setting (and, when it has a flag, carry that flag).</summary>
[Flags]
public enum SettingCommands
{
    None = 0,
    Serve = 1,
    Join = 2,
    Say = 4,
    Clients = Join | Say,
    All = Serve | Join | Say,
}
