namespace Sockchat.Bench;

/// <summary>One run's settings, from the command line (see <see cref="BenchOptionsParser"/>).</summary>
public sealed record BenchOptions
{
    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; }

    /// <summary>With <c>--ports</c>: every chat port (the nodes of a cluster, one host); client i connects to the (i mod n)th. Empty: <see cref="Port"/> alone.</summary>
    public IReadOnlyList<int> Ports { get; init; } = [];

    public string Dialect { get; init; } = "json";

    public int Clients { get; init; } = 10;

    /// <summary>The web port's base URL (<c>http://HOST:PORT/</c>, as <c>sockchat serve</c> prints it after <c>web on</c>): WebSocket clients open its <c>/ws</c>.</summary>
    public Uri? WebUrl { get; init; }

    /// <summary>With the json dialect: this many of the clients (spread evenly over the indexes, so over the senders too) speak it over the web port's WebSocket instead.</summary>
    public int WebClients { get; init; }

    /// <summary>How many clients use the WebSocket: all of them with the websocket dialect, else <see cref="WebClients"/>.</summary>
    public int WebClientCount => ChatDialect.Create(Dialect).IsWebSocket ? Clients : WebClients;

    /// <summary>Whether client <paramref name="index"/> is one of the <see cref="WebClientCount"/> WebSocket clients (every other one for half, and so on).</summary>
    public bool IsWebClient(int index)
    {
        var web = (long)WebClientCount;
        return web * (index + 1) / Clients > web * index / Clients;
    }

    /// <summary>True when some clients use the WebSocket and some TCP: the report gives each group's figures.</summary>
    public bool IsMixed => WebClientCount > 0 && WebClientCount < Clients;

    /// <summary>Clients 0..Senders-1 send; the senders are among the clients and read too.</summary>
    public int Senders { get; init; } = 1;

    /// <summary>Messages per sender.</summary>
    public int Messages { get; init; } = 100;

    /// <summary>Bytes of payload text per message (the chat text, not the frame around it).</summary>
    public int Size { get; init; } = 64;

    /// <summary>Messages per second per sender; 0 sends as fast as the socket takes them.</summary>
    public double Rate { get; init; }

    public BenchMode Mode { get; init; } = BenchMode.Chat;

    public int? ServerPid { get; init; }

    /// <summary>Connections are spread over 127.0.0.1 .. 127.0.0.K, each with its own ephemeral port range.</summary>
    public int SourceAddresses { get; init; } = 1;

    /// <summary>Hard stop: the run reports and exits within this many seconds, whatever was delivered.</summary>
    public double TimeLimitSeconds { get; init; } = 60;

    /// <summary>How long to wait for every client to be ready; by default half the time limit, or in idle mode all of it but the hold and 3 s.</summary>
    public double? ReadyTimeoutSeconds { get; init; }

    /// <summary>After the last message is sent, stop once nothing has arrived for this long.</summary>
    public double DrainTimeoutSeconds { get; init; } = 3;

    /// <summary>While sending, stop once nothing at all has arrived for this long (a frozen server).</summary>
    public double StallTimeoutSeconds { get; init; } = 5;

    /// <summary>The client that stops reading once sending starts (slow-consumer scenario); not a sender.</summary>
    public int? StopReader { get; init; }

    /// <summary>How long, after the run, the server is given to disconnect the client that stopped reading before it is checked (without reading from it meanwhile).</summary>
    public double StopReaderGraceSeconds { get; init; } = 5;

    /// <summary>After the grace, how long the check reads (blocking) what the server still sends to that client, waiting for its close.</summary>
    public double StopReaderDrainSeconds { get; init; } = 5;

    public string Label { get; init; } = "";

    /// <summary>IRC operator login NAME:PASSWORD; senders use it to set user mode +F (relaxed flood protection).</summary>
    public string? IrcOper { get; init; }

    /// <summary>In idle mode, clients are grouped into rooms (channels) of this many; 0 puts everyone in one.</summary>
    public int IdleRoomSize { get; init; } = 100;

    /// <summary>
    /// In chat mode, client i joins room <see cref="RoomName"/>(i mod this), so sender k (client k) posts into
    /// room k mod this and its messages are expected at that room's members only; 1 keeps everyone in the
    /// dialect's default room.
    /// </summary>
    public int ChatRooms { get; init; } = 1;

    /// <summary>In idle mode, how long the connections are held after everyone is ready.</summary>
    public double HoldSeconds { get; init; } = 2;

    /// <summary>Room mode: clients registered this soon after the last connect count as registered in time.</summary>
    public double RegisterWindowSeconds { get; init; } = 15;

    /// <summary>Room mode: how long after the last connect to wait for every client to register before posting anyway.</summary>
    public double RegisterWaitSeconds { get; init; } = 30;

    /// <summary>Room mode: clients that got the message this soon after it was sent count as reached in time.</summary>
    public double DeliveryWindowSeconds { get; init; } = 1;

    /// <summary>Room mode: how long after sending to wait for the message to reach everyone.</summary>
    public double DeliveryWaitSeconds { get; init; } = 10;

    public int ConnectConcurrency { get; init; } = 200;

    /// <summary>New connections per second, 0 for no pacing: for servers with a short accept queue (ncat and ngIRCd listen with a backlog of 10).</summary>
    public double ConnectRate { get; init; }

    public bool Progress { get; init; } = true;

    /// <summary>Print up to this many corrupt (spliced) lines on stderr, to see what a server did to them.</summary>
    public int ShowCorrupt { get; init; }

    public TimeSpan TimeLimit => TimeSpan.FromSeconds(TimeLimitSeconds);

    public TimeSpan ReadyTimeout => TimeSpan.FromSeconds(ReadyTimeoutSeconds
        ?? (Mode == BenchMode.Idle ? Math.Max(TimeLimitSeconds / 2, TimeLimitSeconds - HoldSeconds - 3) : TimeLimitSeconds / 2));

    /// <summary>The room (or channel, without '#') of room number <paramref name="number"/>, in idle and chat mode alike.</summary>
    public static string RoomName(int number) => $"idle{number}";

    /// <summary>Which of the <see cref="ChatRooms"/> client <paramref name="index"/> is in (always 0 with one room).</summary>
    public int ChatRoomOf(int index) => index % ChatRooms;

    /// <summary>
    /// Deliveries a loss-free run makes: every sender's messages reach every other reading client of
    /// its room (with one room, every other reading client).
    /// </summary>
    public long ExpectedDeliveries
    {
        get
        {
            if (Mode == BenchMode.Idle)
            {
                return 0;
            }
            long total = 0;
            for (var room = 0; room < ChatRooms; room++)
            {
                var stopped = StopReader is { } reader && ChatRoomOf(reader) == room ? 1 : 0;
                var readers = (long)InRoom(Clients, room) - 1 - stopped;
                total += (long)InRoom(Senders, room) * Messages * Math.Max(0, readers);
            }
            return total;
        }
    }

    /// <summary>What client <paramref name="index"/> should get: the messages of every other sender in its room.</summary>
    public long ExpectedAt(int index) =>
        (long)Messages * (InRoom(Senders, ChatRoomOf(index)) - (index < Senders ? 1 : 0));

    /// <summary>How many of indexes 0..<paramref name="count"/>-1 fall into <paramref name="room"/> (index mod <see cref="ChatRooms"/>).</summary>
    private int InRoom(int count, int room) => count / ChatRooms + (room < count % ChatRooms ? 1 : 0);
}
