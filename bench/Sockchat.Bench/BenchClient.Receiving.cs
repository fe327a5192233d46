using System.Net.Sockets;

namespace Sockchat.Bench;

/// <summary>The receive side: one loop per client that splits lines, lets the dialect read them and counts deliveries.</summary>
public sealed partial class BenchClient
{
    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        var socket = _socket!;
        var start = 0;
        var end = 0;
        var replies = new List<byte[]>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (_stopReading.Task.IsCompleted)
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                if (end == _buffer.Length)
                {
                    (start, end) = MakeRoom(start, end);
                }
                var read = await socket.ReceiveAsync(_buffer.AsMemory(end), SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    EndReason ??= "closed by server";
                    break;
                }
                end += read;
                Reads++;
                start = ProcessLines(start, end, replies);
                if (start == end)
                {
                    start = end = 0;
                }
                foreach (var reply in replies)
                {
                    await SendAsync(reply, cancellationToken);
                }
                replies.Clear();
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // A reset or our own shutdown: the state below says which it was.
            if (ex is SocketException socketError)
            {
                EndReason ??= $"receive: {socketError.SocketErrorCode}";
            }
        }
        if (!cancellationToken.IsCancellationRequested)
        {
            SetState(State == ClientState.Ready ? ClientState.Disconnected : ClientState.Failed);
        }
    }

    /// <summary>Moves a partial line to the front of the buffer, or grows the buffer for a line longer than it.</summary>
    private (int Start, int End) MakeRoom(int start, int end)
    {
        if (start > 0)
        {
            _buffer.AsSpan(start, end - start).CopyTo(_buffer);
            return (0, end - start);
        }
        if (_buffer.Length >= MaxLineBytes)
        {
            // A line past any sane length: count it as damage and start over.
            Corrupt++;
            return (0, 0);
        }
        Array.Resize(ref _buffer, _buffer.Length * 2);
        return (start, end);
    }

    private int ProcessLines(int start, int end, List<byte[]> replies)
    {
        var now = _latency.Now();
        ReadOnlySpan<byte> pending = _buffer.AsSpan(start, end - start);
        var consumed = 0;
        while (LineReader.TryReadLine(ref pending, out var line))
        {
            consumed = end - start - pending.Length;
            HandleLine(line, now, replies);
        }
        return start + consumed;
    }

    private void HandleLine(ReadOnlySpan<byte> line, long now, List<byte[]> replies)
    {
        var kind = _dialect.Read(line, _session, out var range, out var reply);
        if (reply is not null)
        {
            replies.Add(reply);
        }
        switch (kind)
        {
            case LineKind.Message:
                if (!Payload.TryParse(line[range], _payloadSize, out var payload))
                {
                    CountCorrupt(line);
                    return;
                }
                if (payload.Sender == Index)
                {
                    return; // our own message echoed back (sockchat includes the sender)
                }
                var outcome = _tracker.Record(payload.Sender, payload.Sequence);
                if (outcome == DeliveryOutcome.Unknown)
                {
                    CountCorrupt(line);
                }
                else if (outcome is DeliveryOutcome.New or DeliveryOutcome.Reordered)
                {
                    _latency.Record(payload.SentTicks, now);
                    LastDeliveryTicks = now;
                }
                return;
            case LineKind.Corrupt:
                CountCorrupt(line);
                return;
            case LineKind.Ready:
                if (State == ClientState.Handshaking)
                {
                    SetState(ClientState.Ready);
                }
                return;
            case LineKind.Refused:
                EndReason ??= "refused: " + System.Text.Encoding.UTF8.GetString(line[..Math.Min(line.Length, 80)]);
                SetState(ClientState.Failed);
                return;
            case LineKind.ServerError:
                ServerErrors++;
                return;
        }
    }

    private void CountCorrupt(ReadOnlySpan<byte> line)
    {
        Corrupt++;
        _corruptSample?.Invoke($"b{Index} got: {System.Text.Encoding.UTF8.GetString(line[..Math.Min(line.Length, 300)])}");
    }
}
