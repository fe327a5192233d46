using System.Globalization;

namespace Sockchat.Bench;

/// <summary>Reads another process's memory and CPU time from /proc (Linux only; null elsewhere or when it has gone).</summary>
public static class ProcStatus
{
    /// <summary>Clock ticks per second of /proc/PID/stat times: USER_HZ, 100 on every Linux this runs on.</summary>
    private const double TicksPerSecond = 100;

    public static ServerMemory? ReadMemory(int pid)
    {
        try
        {
            return ParseMemory(File.ReadAllText($"/proc/{pid}/status"));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The VmRSS and VmHWM lines of a /proc/PID/status text.</summary>
    public static ServerMemory? ParseMemory(string status)
    {
        long? rss = null, hwm = null;
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kib(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = Kib(line);
            }
        }
        return rss is { } r && hwm is { } h ? new ServerMemory(r, h) : null;
    }

    public static double? ReadCpuSeconds(int pid)
    {
        try
        {
            return ParseCpuSeconds(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>User plus system time from a /proc/PID/stat line (fields 14 and 15, counted after the command name).</summary>
    public static double? ParseCpuSeconds(string stat)
    {
        // The command name (field 2) is in parentheses and may itself hold spaces.
        var close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 > stat.Length)
        {
            return null;
        }
        var fields = stat[(close + 2)..].Split(' ');
        // fields[0] is field 3 (state), so utime (14) is fields[11] and stime (15) fields[12].
        if (fields.Length < 13
            || !long.TryParse(fields[11], NumberStyles.Integer, CultureInfo.InvariantCulture, out var user)
            || !long.TryParse(fields[12], NumberStyles.Integer, CultureInfo.InvariantCulture, out var system))
        {
            return null;
        }
        return (user + system) / TicksPerSecond;
    }

    private static long? Kib(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kib) ? kib : null;
    }
}
