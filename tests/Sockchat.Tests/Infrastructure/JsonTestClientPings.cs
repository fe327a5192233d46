using System.Diagnostics;
using Sockchat.Protocol;
using Xunit.Sdk;

namespace Sockchat.Tests.Infrastructure;

/// <summary>Waiting as a live JSON client does: every server <c>ping</c> met on the way is answered with a <c>pong</c>.</summary>
internal static class JsonTestClientPings
{
    private const int MaxPingsAnswered = 1000;

    /// <summary>
    /// Like <see cref="JsonTestClient.ExpectAsync{T}"/>, but answers each server ping that arrives
    /// first, so that a short <see cref="Sockchat.Server.ServerOptions.PingInterval"/> does not drop
    /// this client while it waits. Returns how many pings it answered alongside the frame.
    /// </summary>
    public static async Task<(T Frame, int PingsAnswered)> ExpectAnsweringPingsAsync<T>(
        this JsonTestClient client, Func<T, bool>? match = null, TimeSpan? within = null) where T : ServerFrame
    {
        var limit = within ?? LineConnection.DefaultWait;
        var elapsed = Stopwatch.StartNew();
        for (var answered = 0; answered <= MaxPingsAnswered; answered++)
        {
            var remaining = limit - elapsed.Elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }
            var frame = await client.ExpectAsync<ServerFrame>(
                f => f is ServerPingFrame || (f is T t && (match is null || match(t))), remaining);
            if (frame is T found && (match is null || match(found)))
            {
                return (found, answered);
            }
            await client.SendAsync(new PongReplyFrame(((ServerPingFrame)frame).Id));
        }
        throw new XunitException($"no {typeof(T).Name} within {limit.TotalSeconds} s while answering pings");
    }
}
