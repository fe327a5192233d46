using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Sockchat.Server;

/// <summary>
/// Checks the server password in constant time and slows down guessing: every failure from an
/// address doubles the wait before its next answer (from 250 ms up to 8 s), and a success or
/// ten quiet minutes clear it. Shared by all sessions of a <see cref="ChatServer"/>.
/// </summary>
public sealed class AuthThrottle(string? password, TimeProvider time)
{
    private static readonly TimeSpan FirstPenalty = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxPenalty = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan Forget = TimeSpan.FromMinutes(10);

    private readonly byte[]? _expected = password is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(password));
    private readonly ConcurrentDictionary<IPAddress, (int Failures, DateTimeOffset Last)> _failures = new();

    public bool Required => _expected is not null;

    /// <summary>True when no password is set or <paramref name="given"/> is it. Comparing hashes keeps the time independent of where they differ and of the length.</summary>
    public bool Check(string? given) =>
        _expected is null || (given is not null && CryptographicOperations.FixedTimeEquals(_expected, SHA256.HashData(Encoding.UTF8.GetBytes(given))));

    /// <summary>Records a failure and returns how long to wait before answering it.</summary>
    public TimeSpan Fail(IPAddress? address)
    {
        if (address is null)
        {
            return FirstPenalty;
        }
        var now = time.GetUtcNow();
        var entry = _failures.AddOrUpdate(address, _ => (1, now),
            (_, old) => (now - old.Last > Forget ? 1 : old.Failures + 1, now));
        var penalty = FirstPenalty * Math.Pow(2, Math.Min(entry.Failures - 1, 10));
        return penalty > MaxPenalty ? MaxPenalty : penalty;
    }

    public void Succeed(IPAddress? address)
    {
        if (address is not null)
        {
            _failures.TryRemove(address, out _);
        }
    }
}
