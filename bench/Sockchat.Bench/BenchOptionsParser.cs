using System.Globalization;

namespace Sockchat.Bench;

/// <summary>Reads the generator's command line into <see cref="BenchOptions"/>; throws <see cref="BenchUsageException"/> on any mistake.</summary>
public static class BenchOptionsParser
{
    public const string Usage = """
        usage: sockchat-bench --port PORT [options]
          --host HOST              server address [127.0.0.1]
          --port PORT              server port (required, or --ports)
          --ports P1,P2,...        several chat ports on the host (cluster nodes): client i uses the (i mod n)th
          --dialect D              json | websocket | text | relay | ncat | irc [json]; websocket (or web): sockchat's
                                   JSON frames over the web port's /ws, one per text message (needs --web-url)
          --web-url URL            the web port, as `sockchat serve` prints it: web on http://HOST:PORT/
          --web-clients K          json: K of the clients (spread evenly over the indexes, senders included) use
                                   the WebSocket instead of TCP; the report gives both groups' figures [0]
          --clients N              connections [10]
          --senders S              clients 0..S-1 send [1]
          --messages M             messages per sender [100]
          --size B                 payload bytes per message [64]
          --rate R                 messages/s per sender, 0 = as fast as possible [0]
          --chat-rooms N           chat: client i joins room idle(i mod N), sender k posts into room k mod N, and
                                   each message is expected at its room's members only; N > 1 needs a dialect
                                   that joins rooms (json, websocket, irc) [1: everyone in the default room]
          --mode chat|idle|room    idle: connect, hold, measure memory per connection; room: everyone joins one
                                   room, client 0 posts one message, then hold and measure memory [chat]
          --server-pid PID         read the server's VmRSS/VmHWM from /proc/PID/status
          --source-addresses K     spread connections over 127.0.0.1..127.0.0.K [1]
          --time-limit SECONDS     hard stop [60]
          --ready-timeout SECONDS  wait this long for every client to be ready [chat: time-limit/2, idle: time-limit - hold - 3]
          --drain-timeout SECONDS  after sending, stop when nothing arrived for this long [3]
          --stall-timeout SECONDS  stop when nothing arrived at all for this long [5]
          --stop-reader INDEX      client bINDEX stops reading when sending starts (not a sender)
          --stop-reader-grace S    after the run, wait S seconds (not reading) before checking it was disconnected [5]
          --stop-reader-drain S    then read what it is still sent, blocking, up to S seconds, for the server's close [5]
          --irc-oper NAME:PASS     irc: senders OPER and set +F (relaxed flood protection)
          --idle-room-size K       idle: rooms/channels of K clients, 0 = one room [100]
          --hold SECONDS           idle, room: hold the connections this long before reading the server's RSS [2]
          --register-window S      room: registered within S s of the last connect counts as in time [15]
          --register-wait S        room: wait at most S s after the last connect for everyone to register [30]
          --delivery-window S      room: the message reaching a client within S s of its send counts as in time [1]
          --delivery-wait S        room: wait at most S s after the send for the message to reach everyone [10]
          --connect-concurrency C  connects in flight at once [200]
          --connect-rate R         new connections per second, 0 = unpaced [0]
          --show-corrupt N         print the first N corrupt (spliced) lines on stderr [0]
          --no-progress            no progress line on stderr
          --label TEXT             copied into the report
        Prints a progress line each second and a summary on stderr, one JSON line on stdout.
        Exit: 0 complete, 1 incomplete (loss, corruption, clients not ready), 2 usage, 3 nobody connected.
        """;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        var portGiven = false;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--no-progress")
            {
                options = options with { Progress = false };
                continue;
            }
            if (i + 1 >= args.Count)
            {
                throw new BenchUsageException($"{name} needs a value");
            }
            var value = args[++i];
            options = name switch
            {
                "--host" => options with { Host = value },
                "--port" => options with { Port = Int(name, value, 1, 65535) },
                "--ports" => PortList(options, name, value),
                "--dialect" => options with { Dialect = value },
                "--web-url" => options with { WebUrl = WebUrl(value) },
                "--web-clients" => options with { WebClients = Int(name, value, 0, 1_000_000) },
                "--clients" => options with { Clients = Int(name, value, 1, 1_000_000) },
                "--senders" => options with { Senders = Int(name, value, 0, 1_000_000) },
                "--messages" => options with { Messages = Int(name, value, 0, int.MaxValue) },
                "--size" => options with { Size = Int(name, value, 1, 1 << 20) },
                "--rate" => options with { Rate = Number(name, value, 0, 1e9) },
                "--mode" => options with { Mode = Mode(value) },
                "--server-pid" => options with { ServerPid = Int(name, value, 1, int.MaxValue) },
                "--source-addresses" => options with { SourceAddresses = Int(name, value, 1, 254) },
                "--time-limit" => options with { TimeLimitSeconds = Number(name, value, 1, 3600) },
                "--ready-timeout" => options with { ReadyTimeoutSeconds = Number(name, value, 0.1, 3600) },
                "--drain-timeout" => options with { DrainTimeoutSeconds = Number(name, value, 0.1, 3600) },
                "--stall-timeout" => options with { StallTimeoutSeconds = Number(name, value, 0.1, 3600) },
                "--stop-reader" => options with { StopReader = Int(name, value.TrimStart('b'), 0, 1_000_000) },
                "--stop-reader-grace" => options with { StopReaderGraceSeconds = Number(name, value, 0, 60) },
                "--stop-reader-drain" => options with { StopReaderDrainSeconds = Number(name, value, 0.1, 60) },
                "--irc-oper" => options with { IrcOper = value.Contains(':') ? value : throw new BenchUsageException("--irc-oper wants NAME:PASSWORD") },
                "--chat-rooms" => options with { ChatRooms = Int(name, value, 1, 1_000_000) },
                "--idle-room-size" => options with { IdleRoomSize = Int(name, value, 0, 1_000_000) },
                "--hold" => options with { HoldSeconds = Number(name, value, 0, 3600) },
                "--register-window" => options with { RegisterWindowSeconds = Number(name, value, 0.1, 3600) },
                "--register-wait" => options with { RegisterWaitSeconds = Number(name, value, 0.1, 3600) },
                "--delivery-window" => options with { DeliveryWindowSeconds = Number(name, value, 0.001, 3600) },
                "--delivery-wait" => options with { DeliveryWaitSeconds = Number(name, value, 0.1, 3600) },
                "--connect-concurrency" => options with { ConnectConcurrency = Int(name, value, 1, 100_000) },
                "--connect-rate" => options with { ConnectRate = Number(name, value, 0, 1e7) },
                "--label" => options with { Label = value },
                "--show-corrupt" => options with { ShowCorrupt = Int(name, value, 0, 1_000_000) },
                _ => throw new BenchUsageException($"unknown option '{name}'"),
            };
            portGiven |= name is "--port" or "--ports";
        }
        if (!portGiven)
        {
            throw new BenchUsageException("--port is required");
        }
        if (options.Mode == BenchMode.Room)
        {
            // One message from client 0 to everyone: --senders and --messages do not apply.
            options = options with { Senders = 1, Messages = 1 };
        }
        Validate(options);
        return options;
    }

    private static void Validate(BenchOptions options)
    {
        var dialect = ChatDialect.Create(options.Dialect);
        if (options.WebClients > 0 && dialect is not JsonDialect)
        {
            throw new BenchUsageException($"--web-clients mixes WebSocket clients into the json dialect's, not into {options.Dialect}'s (--dialect websocket makes them all web)");
        }
        if (options.WebClients > options.Clients)
        {
            throw new BenchUsageException($"--web-clients {options.WebClients} is more than --clients {options.Clients}");
        }
        if (options.WebClientCount > 0 && options.WebUrl is null)
        {
            throw new BenchUsageException("WebSocket clients need --web-url (the URL `sockchat serve` prints after 'web on')");
        }
        if (options.Senders > options.Clients)
        {
            throw new BenchUsageException($"--senders {options.Senders} is more than --clients {options.Clients}: senders are among the clients");
        }
        if (options.StopReader is { } reader && (reader < options.Senders || reader >= options.Clients))
        {
            throw new BenchUsageException($"--stop-reader {reader} must be a client that does not send: {options.Senders}..{options.Clients - 1}");
        }
        if (options.Mode == BenchMode.Room && options.Clients < 2)
        {
            throw new BenchUsageException("room mode needs at least 2 clients: one posts, the others read");
        }
        if (options.Mode == BenchMode.Room && ChatDialect.Create(options.Dialect).NeedsReadyProbe)
        {
            throw new BenchUsageException($"room mode needs a dialect that registers clients (json, text or irc), not {options.Dialect}");
        }
        if (options.ChatRooms > 1 && options.Mode != BenchMode.Chat)
        {
            throw new BenchUsageException($"--chat-rooms is for chat mode (idle mode has --idle-room-size; room mode is one room), not {ModeName(options.Mode)} mode");
        }
        if (options.ChatRooms > options.Clients)
        {
            throw new BenchUsageException($"--chat-rooms {options.ChatRooms} is more than --clients {options.Clients}: every room needs a client");
        }
        if (options.ChatRooms > 1 && !dialect.CanJoinRooms)
        {
            throw new BenchUsageException($"--chat-rooms {options.ChatRooms} needs a dialect whose clients join a room (json, websocket or irc), not {options.Dialect}");
        }
        if (options.Mode == BenchMode.Chat && options.Senders == 0 && options.Messages > 0)
        {
            throw new BenchUsageException("chat mode needs at least one sender (--senders)");
        }
    }

    private static Uri WebUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new BenchUsageException($"--web-url wants http://HOST:PORT/ (what serve prints after 'web on'), not '{value}'");

    private static BenchMode Mode(string value) => value switch
    {
        "chat" => BenchMode.Chat,
        "idle" => BenchMode.Idle,
        "room" => BenchMode.Room,
        _ => throw new BenchUsageException($"--mode is chat, idle or room, not '{value}'"),
    };

    private static string ModeName(BenchMode mode) => mode switch
    {
        BenchMode.Idle => "idle",
        BenchMode.Room => "room",
        _ => "chat",
    };

    private static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new BenchUsageException($"{name} wants a whole number from {min} to {max}, not '{value}'");

    private static double Number(string name, string value, double min, double max) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new BenchUsageException($"{name} wants a number from {min} to {max}, not '{value}'");

    /// <summary><c>--ports P1,P2,...</c>: clients spread round-robin over several chat ports (cluster nodes); the first is also <see cref="BenchOptions.Port"/>.</summary>
    private static BenchOptions PortList(BenchOptions options, string name, string value)
    {
        var ports = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(port => Int(name, port, 1, 65535)).ToList();
        if (ports.Count == 0)
        {
            throw new BenchUsageException($"{name} wants a comma-separated list of ports, not '{value}'");
        }
        return options with { Port = ports[0], Ports = ports };
    }
}
