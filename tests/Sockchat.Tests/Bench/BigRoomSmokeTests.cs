using System.Globalization;
using Sockchat.Bench;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;

namespace Sockchat.Tests.Bench;

/// <summary>
/// Seconds-long runs of the issue-9 scenarios (bench/run.sh h and i) with a few hundred clients
/// against an in-process server on 127.0.0.1: the generator's room mode (everyone in one room,
/// one message to all) and its idle mode in rooms of 100. The full-size runs are bench/run.sh's;
/// these check that the modes count what the report says they count.
/// </summary>
public sealed class BigRoomSmokeTests
{
    private const int Clients = 300;

    // Every client comes from 127.0.0.1: the per-address limit (100 by default) would refuse most.
    private static readonly ServerOptions Unlimited = new() { MaxConnectionsPerAddress = 0 };

    [Fact]
    public async Task Three_hundred_text_clients_joining_one_room_all_register_in_time_and_all_get_the_message_within_a_second()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(Unlimited);
        var options = BenchOptionsParser.Parse(Args(server.Port, "--dialect", "text", "--mode", "room", "--clients", $"{Clients}",
            "--connect-rate", "1000", "--register-wait", "10", "--delivery-wait", "5"));
        using var generator = new LoadGenerator(options, TextWriter.Null);

        // Act
        var report = await generator.RunAsync();

        // Assert: the room is past the presence-batching size (100), so joins were announced in batches.
        Assert.Equal("complete", report.Status);
        Assert.Equal(Clients, report.Ready);
        Assert.Equal(Clients, report.RegisteredInWindow);
        Assert.NotNull(report.AllRegisteredMs);
        Assert.Equal(1, report.Sent);
        Assert.Equal(Clients - 1, report.Received);
        Assert.Equal(Clients - 1, report.DeliveredInWindow);
        Assert.InRange(report.AllDeliveredMs!.Value, 0, 1000);
        Assert.Equal(Clients, report.ConnectionsHeld);
        Assert.NotNull(report.KibPerConnection);
    }

    [Fact]
    public async Task A_room_run_reports_a_message_nobody_got_as_missed_not_as_delivered()
    {
        // Arrange: a room of clients where client 0's message cannot arrive in time: the delivery window is 1 ms wide.
        await using var server = await TestServer.StartAsync(Unlimited);
        var options = BenchOptionsParser.Parse(Args(server.Port, "--dialect", "text", "--mode", "room", "--clients", "150",
            "--delivery-window", "0.001", "--delivery-wait", "5"));
        using var generator = new LoadGenerator(options, TextWriter.Null);

        // Act
        var report = await generator.RunAsync();

        // Assert: everyone got it (within the wait), but hardly anyone within 1 ms.
        Assert.Equal(149, report.Received);
        Assert.NotNull(report.AllDeliveredMs);
        Assert.InRange(report.DeliveredInWindow!.Value, 0, 148);
    }

    [Fact]
    public async Task Three_hundred_idle_json_clients_in_rooms_of_a_hundred_are_all_held_with_a_memory_figure()
    {
        // Arrange
        await using var server = await TestServer.StartAsync(Unlimited);
        var options = BenchOptionsParser.Parse(Args(server.Port, "--dialect", "json", "--mode", "idle", "--clients", $"{Clients}",
            "--idle-room-size", "100"));
        using var generator = new LoadGenerator(options, TextWriter.Null);

        // Act
        var report = await generator.RunAsync();

        // Assert
        Assert.Equal("complete", report.Status);
        Assert.Equal(Clients, report.Ready);
        Assert.NotNull(report.KibPerConnection);
    }

    [Fact]
    public void Room_mode_posts_one_message_from_client_0_whatever_senders_and_messages_say()
    {
        // Act
        var options = BenchOptionsParser.Parse(["--port", "1", "--mode", "room", "--clients", "50", "--senders", "7", "--messages", "9"]);

        // Assert
        Assert.Equal(BenchMode.Room, options.Mode);
        Assert.Equal(1, options.Senders);
        Assert.Equal(1, options.Messages);
        Assert.Equal(49, options.ExpectedDeliveries);
        Assert.Equal(15, options.RegisterWindowSeconds);
        Assert.Equal(1, options.DeliveryWindowSeconds);
    }

    [Theory]
    [InlineData("relay", "50")]
    [InlineData("json", "1")]
    public void Room_mode_refuses_a_dialect_without_registration_and_a_room_of_one(string dialect, string clients)
    {
        // Act and assert
        Assert.Throws<BenchUsageException>(() =>
            BenchOptionsParser.Parse(["--port", "1", "--mode", "room", "--dialect", dialect, "--clients", clients]));
    }

    private static string[] Args(int port, params string[] rest) =>
        ["--port", port.ToString(CultureInfo.InvariantCulture), "--server-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
         "--time-limit", "30", "--hold", "0.2", "--no-progress", .. rest];
}
