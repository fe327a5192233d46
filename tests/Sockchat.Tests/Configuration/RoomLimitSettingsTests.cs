using Microsoft.Extensions.Configuration.Memory;
using Sockchat.Configuration;
using Sockchat.Tests.Infrastructure;

namespace Sockchat.Tests.Configuration;

/// <summary>The room and total-history limits (issue 9) layer and validate like every other server setting.</summary>
public sealed class RoomLimitSettingsTests : IDisposable
{
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private ServeSettings Serve(Dictionary<string, string?>? flags = null, Dictionary<string, string?>? environment = null) =>
        SettingsBinder.Serve(new SettingsLoader(new MemoryConfigurationSource { InitialData = environment ?? [] }, _work.Path, _work.Path)
            .Load(flags ?? [], null));

    [Fact]
    public void The_defaults_are_1000_rooms_50_per_connection_and_a_million_messages_in_all()
    {
        // Act
        var settings = Serve();

        // Assert
        Assert.Equal((1000, 50, 1_000_000), (settings.MaxRooms, settings.MaxRoomsPerClient, settings.HistoryMaxTotalMessages));
    }

    [Fact]
    public void Flags_beat_the_environment_which_beats_chat_json()
    {
        // Arrange
        _work.Write("chat.json", """{ "server": { "maxRooms": 10, "maxRoomsPerClient": 4, "historyMaxTotalMessages": 99 } }""");

        // Act
        var settings = Serve(
            flags: new() { ["server:maxRooms"] = "30" },
            environment: new() { ["server:maxRooms"] = "20", ["server:maxRoomsPerClient"] = "5" });

        // Assert
        Assert.Equal((30, 5, 99), (settings.MaxRooms, settings.MaxRoomsPerClient, settings.HistoryMaxTotalMessages));
    }

    [Fact]
    public void Zero_rooms_is_refused_naming_the_source()
    {
        // Act
        var error = Assert.Throws<ConfigurationException>(() => Serve(environment: new() { ["server:maxRooms"] = "0", ["server:maxRoomsPerClient"] = "0" }));

        // Assert
        Assert.Contains("maxRooms", error.Message);
        Assert.Contains("maxRoomsPerClient", error.Message);
    }
}
