namespace Sockchat.Client;

public sealed partial class TerminalChat
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Tries to connect again with exponential backoff and jitter until it works, the user leaves,
    /// Ctrl+C, or <c>reconnectFor</c> has passed (then null). On success it rejoins every room the
    /// user was in, each resumed after the last seq seen, with the current room last.
    /// </summary>
    private async Task<ChatClient?> ReconnectAsync(Task typing, CancellationToken cancellationToken)
    {
        screen.WriteLine(painter.Notice($"* reconnecting... (giving up after {reconnectFor.TotalSeconds:0} s; /quit or Ctrl+C to stop)"));
        var deadline = DateTimeOffset.UtcNow + reconnectFor;
        var delay = FirstDelay;
        string? lastProblem = null;
        var rooms = _rooms.Count > 0 ? _rooms.ToList() : [Protocol.ProtocolLimits.DefaultRoom];
        while (DateTimeOffset.UtcNow < deadline && !cancellationToken.IsCancellationRequested && !typing.IsCompleted)
        {
            try
            {
                var client = await reconnect(rooms[0], new Dictionary<string, long>(_lastSeq), cancellationToken);
                _connected = true;
                _maxLineBytes = client.Welcome.MaxLineBytes;
                _me = client.Welcome.Name;
                _rooms.Clear();
                _rooms.AddRange(client.Welcome.Rooms);
                foreach (var room in rooms.Skip(1))
                {
                    await client.SendAsync(new Protocol.JoinFrame(room, _lastSeq.TryGetValue(room, out var seq) ? seq : null), cancellationToken);
                }
                screen.WriteLine(painter.Notice("* reconnected"));
                return client;
            }
            catch (Exception ex) when (ex is ChatServerUnreachableException or ConnectionLostException or ChatTimeoutException or ChatRefusedException)
            {
                // name_taken too: the server may not have noticed our old connection die yet.
                if (ex.Message != lastProblem)
                {
                    lastProblem = ex.Message;
                    screen.WriteLine(painter.Notice($"* still reconnecting: {ex.Message}"));
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            var jittered = delay * (0.5 + Random.Shared.NextDouble());
            await Task.WhenAny(Task.Delay(jittered, cancellationToken), typing).ContinueWith(static _ => { }, TaskScheduler.Default);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
        if (!typing.IsCompleted && !cancellationToken.IsCancellationRequested)
        {
            screen.WriteLine(painter.Error($"! gave up reconnecting after {reconnectFor.TotalSeconds:0} s"));
        }
        return null;
    }
}
