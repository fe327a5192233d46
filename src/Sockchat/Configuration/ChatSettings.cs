using Sockchat.Protocol;

namespace Sockchat.Configuration;

/// <summary>Settings of <c>sockchat serve</c>, after layering and validation. Defaults live here and only here.</summary>
public sealed record ServeSettings
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = ProtocolLimits.DefaultPort;
    public int MaxClients { get; init; } = 10_000;
    public int MaxLineBytes { get; init; } = ProtocolLimits.DefaultMaxLineBytes;
    public long OutboxMaxBytes { get; init; } = 2 * 1024 * 1024;
    public int HistoryReplay { get; init; } = 50;
    public string? Motd { get; init; }
    public string LogLevel { get; init; } = "Information";
}

/// <summary>Settings of <c>sockchat join</c> and <c>sockchat say</c>.</summary>
public sealed record ClientSettings
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = ProtocolLimits.DefaultPort;
    public string Name { get; init; } = DefaultName();
    public string Room { get; init; } = ProtocolLimits.DefaultRoom;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
    public string LogLevel { get; init; } = "Warning";

    /// <summary>The login name ($USER), which people expect as their chat name.</summary>
    public static string DefaultName()
    {
        var user = Environment.GetEnvironmentVariable("USER");
        return string.IsNullOrWhiteSpace(user) ? Environment.UserName : user;
    }
}
