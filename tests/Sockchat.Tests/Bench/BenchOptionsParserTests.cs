using Sockchat.Bench;

namespace Sockchat.Tests.Bench;

/// <summary>The generator's command line: what it accepts, its defaults, and a clear message for every mistake.</summary>
public sealed class BenchOptionsParserTests
{
    private static BenchUsageException Rejected(params string[] args) =>
        Assert.Throws<BenchUsageException>(() => BenchOptionsParser.Parse(args));

    [Fact]
    public void A_port_alone_gives_the_documented_defaults()
    {
        // Act
        var options = BenchOptionsParser.Parse(["--port", "5000"]);

        // Assert
        Assert.Equal("127.0.0.1", options.Host);
        Assert.Equal(5000, options.Port);
        Assert.Equal("json", options.Dialect);
        Assert.Equal(10, options.Clients);
        Assert.Equal(1, options.Senders);
        Assert.Equal(100, options.Messages);
        Assert.Equal(64, options.Size);
        Assert.Equal(0, options.Rate);
        Assert.Equal(BenchMode.Chat, options.Mode);
        Assert.Equal(TimeSpan.FromSeconds(60), options.TimeLimit);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ReadyTimeout);
        Assert.Null(options.StopReader);
        Assert.True(options.Progress);
        Assert.Equal(1L * 100 * 9, options.ExpectedDeliveries);
    }

    [Fact]
    public void Ports_spread_the_clients_over_several_nodes_and_a_bad_list_is_refused()
    {
        // Act
        var options = BenchOptionsParser.Parse(["--ports", "5000, 5002,5004"]);

        // Assert
        Assert.Equal([5000, 5002, 5004], options.Ports);
        Assert.Equal(5000, options.Port);
        Assert.Empty(BenchOptionsParser.Parse(["--port", "5000"]).Ports);
        Assert.Contains("comma-separated", Rejected("--ports", ",").Message);
        Assert.Contains("--ports wants a whole number", Rejected("--ports", "5000,x").Message);
    }

    [Fact]
    public void Every_option_is_read_into_its_setting()
    {
        // Act
        var options = BenchOptionsParser.Parse([
            "--host", "localhost", "--port", "6667", "--dialect", "irc", "--clients", "100", "--senders", "10",
            "--messages", "500", "--size", "128", "--rate", "250.5", "--server-pid", "4321", "--source-addresses", "4",
            "--time-limit", "90", "--ready-timeout", "20", "--drain-timeout", "1.5", "--stall-timeout", "7",
            "--stop-reader", "b99", "--irc-oper", "bench:bench", "--idle-room-size", "0", "--hold", "3",
            "--connect-concurrency", "50", "--connect-rate", "1000", "--show-corrupt", "5", "--no-progress", "--label", "e-slow",
        ]);

        // Assert
        Assert.Equal(
            new BenchOptions
            {
                Host = "localhost", Port = 6667, Dialect = "irc", Clients = 100, Senders = 10, Messages = 500, Size = 128,
                Rate = 250.5, ServerPid = 4321, SourceAddresses = 4, TimeLimitSeconds = 90, ReadyTimeoutSeconds = 20,
                DrainTimeoutSeconds = 1.5, StallTimeoutSeconds = 7, StopReader = 99, IrcOper = "bench:bench", IdleRoomSize = 0,
                HoldSeconds = 3, ConnectConcurrency = 50, ConnectRate = 1000, ShowCorrupt = 5, Progress = false, Label = "e-slow",
            },
            options);
        Assert.Equal(10L * 500 * 98, options.ExpectedDeliveries);
    }

    [Fact]
    public void Expected_deliveries_count_every_client_but_the_sender_and_the_stopped_reader_and_none_when_idle()
    {
        Assert.Equal(2 * 50 * 4, BenchOptionsParser.Parse(["--port", "1", "--clients", "5", "--senders", "2", "--messages", "50"]).ExpectedDeliveries);
        Assert.Equal(2 * 50 * 3, BenchOptionsParser.Parse(["--port", "1", "--clients", "5", "--senders", "2", "--messages", "50", "--stop-reader", "4"]).ExpectedDeliveries);
        Assert.Equal(0, BenchOptionsParser.Parse(["--port", "1", "--clients", "5", "--mode", "idle"]).ExpectedDeliveries);
        Assert.Equal(0, BenchOptionsParser.Parse(["--port", "1", "--clients", "1", "--senders", "1"]).ExpectedDeliveries);
    }

    [Fact]
    public void Chat_rooms_default_to_one_and_are_read_from_the_command_line()
    {
        // Act
        var one = BenchOptionsParser.Parse(["--port", "1"]);
        var rooms = BenchOptionsParser.Parse(["--port", "1", "--clients", "40", "--senders", "40", "--chat-rooms", "8"]);
        var irc = BenchOptionsParser.Parse(["--port", "1", "--dialect", "irc", "--clients", "4", "--chat-rooms", "2"]);
        var web = BenchOptionsParser.Parse(["--port", "1", "--dialect", "websocket", "--web-url", "http://127.0.0.1:2/", "--clients", "4", "--chat-rooms", "4"]);

        // Assert
        Assert.Equal(1, one.ChatRooms);
        Assert.Equal(8, rooms.ChatRooms);
        Assert.Equal(2, irc.ChatRooms);
        Assert.Equal(4, web.ChatRooms);
        Assert.Equal(1, BenchOptionsParser.Parse(["--port", "1", "--dialect", "text", "--chat-rooms", "1"]).ChatRooms);
        Assert.Equal(1, BenchOptionsParser.Parse(["--port", "1", "--mode", "idle", "--chat-rooms", "1"]).ChatRooms);
    }

    [Fact]
    public void Client_i_is_in_room_i_mod_n_so_sender_k_posts_into_room_k_mod_n()
    {
        // Arrange
        var options = BenchOptionsParser.Parse(["--port", "1", "--clients", "10", "--senders", "5", "--chat-rooms", "3"]);

        // Act
        var rooms = Enumerable.Range(0, 10).Select(options.ChatRoomOf).ToArray();

        // Assert
        Assert.Equal([0, 1, 2, 0, 1, 2, 0, 1, 2, 0], rooms);
        Assert.Equal("idle2", BenchOptions.RoomName(rooms[5]));
    }

    [Fact]
    public void With_chat_rooms_each_message_is_expected_at_the_other_members_of_its_senders_room_only()
    {
        // 10 clients in 3 rooms: room 0 = {0,3,6,9}, room 1 = {1,4,7}, room 2 = {2,5,8}; senders 0..4:
        // room 0 has senders 0 and 3 (3 other members each), room 1 has 1 and 4 (2 each), room 2 has 2 (2).
        var options = BenchOptionsParser.Parse(["--port", "1", "--clients", "10", "--senders", "5", "--messages", "7", "--chat-rooms", "3"]);
        Assert.Equal(7L * (2 * 3 + 2 * 2 + 1 * 2), options.ExpectedDeliveries);
        // Per receiver: client 0 (a sender of room 0) gets sender 3's; client 6 gets 0's and 3's; client 5 gets 2's; 8 gets 2's.
        Assert.Equal(7, options.ExpectedAt(0));
        Assert.Equal(14, options.ExpectedAt(6));
        Assert.Equal(7, options.ExpectedAt(5));
        Assert.Equal(options.ExpectedDeliveries, Enumerable.Range(0, 10).Sum(options.ExpectedAt));

        // The stopped reader (client 7, room 1) is not counted: room 1's senders lose one reader each.
        var stopped = options with { StopReader = 7 };
        Assert.Equal(7L * (2 * 3 + 2 * 1 + 1 * 2), stopped.ExpectedDeliveries);

        // One room is today's formula, S x M x (N - 1); as many rooms as clients leaves nobody to read.
        Assert.Equal(5L * 7 * 9, (options with { ChatRooms = 1 }).ExpectedDeliveries);
        Assert.Equal(0, (options with { ChatRooms = 10 }).ExpectedDeliveries);
        // Fewer senders than rooms: room 2 of 3 has none, and its members expect nothing.
        var few = BenchOptionsParser.Parse(["--port", "1", "--clients", "9", "--senders", "2", "--messages", "5", "--chat-rooms", "3"]);
        Assert.Equal(5L * (2 + 2), few.ExpectedDeliveries);
        Assert.Equal(0, few.ExpectedAt(8));
    }

    [Theory]
    [InlineData("--chat-rooms wants a whole number from 1 to 1000000, not '0'", "--port", "1", "--chat-rooms", "0")]
    [InlineData("--chat-rooms wants a whole number from 1 to 1000000, not 'many'", "--port", "1", "--chat-rooms", "many")]
    [InlineData("--chat-rooms 11 is more than --clients 10: every room needs a client", "--port", "1", "--chat-rooms", "11")]
    [InlineData("--chat-rooms 2 needs a dialect whose clients join a room (json, websocket or irc), not text", "--port", "1", "--dialect", "text", "--chat-rooms", "2")]
    [InlineData("--chat-rooms 2 needs a dialect whose clients join a room (json, websocket or irc), not relay", "--port", "1", "--dialect", "relay", "--chat-rooms", "2")]
    [InlineData("--chat-rooms 2 needs a dialect whose clients join a room (json, websocket or irc), not ncat", "--port", "1", "--dialect", "ncat", "--chat-rooms", "2")]
    [InlineData("--chat-rooms is for chat mode (idle mode has --idle-room-size; room mode is one room), not idle mode", "--port", "1", "--mode", "idle", "--chat-rooms", "2")]
    [InlineData("--chat-rooms is for chat mode (idle mode has --idle-room-size; room mode is one room), not room mode", "--port", "1", "--mode", "room", "--chat-rooms", "2")]
    public void A_bad_chat_rooms_value_is_rejected_with_a_message_saying_why(string message, params string[] args)
    {
        Assert.Equal(message, Rejected(args).Message);
    }

    [Theory]
    [InlineData("--port is required")]
    [InlineData("--port is required", "--clients", "5")]
    [InlineData("--port needs a value", "--port")]
    [InlineData("--clients needs a value", "--port", "1", "--clients")]
    [InlineData("--port wants a whole number from 1 to 65535, not '0'", "--port", "0")]
    [InlineData("--port wants a whole number from 1 to 65535, not '70000'", "--port", "70000")]
    [InlineData("--port wants a whole number from 1 to 65535, not 'http'", "--port", "http")]
    [InlineData("--clients wants a whole number from 1 to 1000000, not '0'", "--port", "1", "--clients", "0")]
    [InlineData("--clients wants a whole number from 1 to 1000000, not '2.5'", "--port", "1", "--clients", "2.5")]
    [InlineData("--messages wants a whole number from 0 to 2147483647, not '-1'", "--port", "1", "--messages", "-1")]
    [InlineData("--size wants a whole number from 1 to 1048576, not '0'", "--port", "1", "--size", "0")]
    [InlineData("--rate wants a number from 0 to 1000000000, not '-5'", "--port", "1", "--rate", "-5")]
    [InlineData("--rate wants a number from 0 to 1000000000, not 'fast'", "--port", "1", "--rate", "fast")]
    [InlineData("--rate wants a number from 0 to 1000000000, not 'NaN'", "--port", "1", "--rate", "NaN")]
    [InlineData("--time-limit wants a number from 1 to 3600, not '0'", "--port", "1", "--time-limit", "0")]
    [InlineData("--source-addresses wants a whole number from 1 to 254, not '255'", "--port", "1", "--source-addresses", "255")]
    [InlineData("unknown dialect 'xmpp': use json, websocket, text, relay, ncat or irc", "--port", "1", "--dialect", "xmpp")]
    [InlineData("--mode is chat, idle or room, not 'burst'", "--port", "1", "--mode", "burst")]
    [InlineData("unknown option '--frobnicate'", "--port", "1", "--frobnicate", "1")]
    [InlineData("unknown option 'extra'", "--port", "1", "extra", "arg")]
    [InlineData("--irc-oper wants NAME:PASSWORD", "--port", "1", "--irc-oper", "bench")]
    [InlineData("--senders 4 is more than --clients 3: senders are among the clients", "--port", "1", "--clients", "3", "--senders", "4")]
    [InlineData("--stop-reader 1 must be a client that does not send: 2..4", "--port", "1", "--clients", "5", "--senders", "2", "--stop-reader", "1")]
    [InlineData("--stop-reader 5 must be a client that does not send: 1..4", "--port", "1", "--clients", "5", "--stop-reader", "b5")]
    [InlineData("chat mode needs at least one sender (--senders)", "--port", "1", "--senders", "0")]
    public void A_bad_command_line_is_rejected_with_a_message_naming_the_option_and_the_value(string message, params string[] args)
    {
        // Act
        var error = Rejected(args);

        // Assert
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Idle_mode_needs_no_sender_and_a_chat_run_of_zero_messages_needs_none_either()
    {
        Assert.Equal(BenchMode.Idle, BenchOptionsParser.Parse(["--port", "1", "--mode", "idle", "--senders", "0"]).Mode);
        Assert.Equal(0, BenchOptionsParser.Parse(["--port", "1", "--senders", "0", "--messages", "0"]).Senders);
    }

    [Fact]
    public void The_usage_text_lists_every_option_the_parser_accepts()
    {
        string[] options =
        [
            "--host", "--port", "--dialect", "--clients", "--senders", "--messages", "--size", "--rate", "--mode", "--server-pid",
            "--source-addresses", "--time-limit", "--ready-timeout", "--drain-timeout", "--stall-timeout", "--stop-reader",
            "--irc-oper", "--idle-room-size", "--chat-rooms", "--hold", "--connect-concurrency", "--connect-rate", "--show-corrupt",
            "--no-progress", "--label",
        ];

        Assert.All(options, option => Assert.Contains($"  {option} ", BenchOptionsParser.Usage, StringComparison.Ordinal));
    }
}
