using Microsoft.Extensions.Configuration.Memory;
using Sockchat.Configuration;
using Sockchat.Tests.Infrastructure;

namespace Sockchat.Tests.Configuration;

/// <summary>
/// Layering and validation of settings: flags > SOCKCHAT_* environment > chat.json > defaults.
/// The environment is an in-memory source holding keys as the real provider would after
/// stripping the prefix ("port", "server:maxClients"); chat.json lives in temp folders.
/// </summary>
public sealed class SettingsLoaderTests : IDisposable
{
    private readonly TempDirectory _work = new();
    private readonly TempDirectory _user = new();

    public void Dispose()
    {
        _work.Dispose();
        _user.Dispose();
    }

    private SettingsLoader Loader(Dictionary<string, string?>? environment = null) =>
        new(new MemoryConfigurationSource { InitialData = environment ?? [] }, _work.Path, _user.Path);

    private LayeredSettings Load(
        Dictionary<string, string?>? flags = null,
        Dictionary<string, string?>? environment = null,
        string? configPath = null) =>
        Loader(environment).Load(flags ?? [], configPath);

    private ClientSettings Client(
        Dictionary<string, string?>? flags = null,
        Dictionary<string, string?>? environment = null,
        string? configPath = null) =>
        SettingsBinder.Client(Load(flags, environment, configPath));

    private ServeSettings Serve(
        Dictionary<string, string?>? flags = null,
        Dictionary<string, string?>? environment = null,
        string? configPath = null) =>
        SettingsBinder.Serve(Load(flags, environment, configPath));

    private static ConfigurationException Fails(Action act) => Assert.Throws<ConfigurationException>(act);

    [Fact]
    public void Defaults_apply_when_nothing_is_set()
    {
        // Act
        var serve = Serve();
        var client = Client(flags: new() { ["name"] = "tester" });

        // Assert
        Assert.Equal(new ServeSettings(), serve);
        Assert.Equal("127.0.0.1", client.Host);
        Assert.Equal(7070, client.Port);
        Assert.Equal("general", client.Room);
        Assert.Equal(TimeSpan.FromSeconds(10), client.Timeout);
    }

    [Fact]
    public void A_flag_beats_the_environment_and_the_file()
    {
        // Arrange
        _work.Write("chat.json", """{ "host": "file.example", "port": 1003, "name": "fromfile" }""");
        var environment = new Dictionary<string, string?> { ["host"] = "env.example", ["port"] = "1002", ["name"] = "fromenv" };
        var flags = new Dictionary<string, string?> { ["host"] = "flag.example", ["port"] = "1001", ["name"] = "fromflag" };

        // Act
        var settings = Client(flags, environment);

        // Assert
        Assert.Equal(("flag.example", 1001, "fromflag"), (settings.Host, settings.Port, settings.Name));
    }

    [Fact]
    public void The_environment_beats_the_file()
    {
        // Arrange
        _work.Write("chat.json", """{ "host": "file.example", "port": 1003, "name": "fromfile" }""");
        var environment = new Dictionary<string, string?> { ["host"] = "env.example", ["port"] = "1002", ["name"] = "fromenv" };

        // Act
        var settings = Client(environment: environment);

        // Assert
        Assert.Equal(("env.example", 1002, "fromenv"), (settings.Host, settings.Port, settings.Name));
    }

    [Fact]
    public void The_file_beats_the_defaults()
    {
        // Arrange
        _work.Write("chat.json", """{ "host": "file.example", "port": 1003, "name": "fromfile" }""");

        // Act
        var settings = Client();

        // Assert
        Assert.Equal(("file.example", 1003, "fromfile"), (settings.Host, settings.Port, settings.Name));
    }

    [Fact]
    public void Each_key_falls_through_to_the_next_layer_on_its_own()
    {
        // Arrange: host only in the file, port only in the environment, name only as a flag.
        _work.Write("chat.json", """{ "host": "file.example" }""");

        // Act
        var settings = Client(new() { ["name"] = "fromflag" }, new() { ["port"] = "1002" });

        // Assert
        Assert.Equal(("file.example", 1002, "fromflag"), (settings.Host, settings.Port, settings.Name));
    }

    [Fact]
    public void Nested_environment_keys_reach_the_server_settings()
    {
        // Act
        var settings = Serve(environment: new() { ["server:maxClients"] = "12", ["server:motd"] = "be nice" });

        // Assert
        Assert.Equal(12, settings.MaxClients);
        Assert.Equal("be nice", settings.Motd);
    }

    [Fact]
    public void The_working_directory_chat_json_beats_the_user_config_folder()
    {
        // Arrange
        var local = _work.Write("chat.json", """{ "port": 2001 }""");
        _user.Write("chat.json", """{ "port": 2002 }""");

        // Act
        var layers = Load();

        // Assert
        Assert.Equal(local, layers.File);
        Assert.Equal(2001, SettingsBinder.Serve(layers).Port);
    }

    [Fact]
    public void The_user_config_folder_chat_json_is_used_when_there_is_none_in_the_working_directory()
    {
        // Arrange
        var user = _user.Write("chat.json", """{ "port": 2002 }""");

        // Act
        var layers = Load();

        // Assert
        Assert.Equal(user, layers.File);
        Assert.Equal(2002, SettingsBinder.Serve(layers).Port);
    }

    [Fact]
    public void An_explicit_config_path_beats_the_working_directory_file()
    {
        // Arrange
        _work.Write("chat.json", """{ "port": 2001 }""");
        _work.Write("other/custom.json", """{ "port": 2003 }""");

        // Act
        var settings = Serve(configPath: "other/custom.json");

        // Assert
        Assert.Equal(2003, settings.Port);
    }

    [Fact]
    public void A_config_path_that_does_not_exist_is_named_in_the_error()
    {
        // Act
        var error = Fails(() => Load(configPath: "missing.json"));

        // Assert
        Assert.Contains(Path.Combine(_work.Path, "missing.json"), error.Message);
        Assert.Contains("--config", error.Message);
    }

    [Fact]
    public void Broken_json_is_reported_naming_the_file()
    {
        // Arrange
        var file = _work.Write("chat.json", """{ "port": 7000, """);

        // Act
        var error = Fails(() => Load());

        // Assert
        Assert.Contains(file, error.Message);
    }

    [Fact]
    public void A_port_that_is_not_a_number_names_the_key_and_the_file()
    {
        // Arrange
        var file = _work.Write("chat.json", """{ "port": "abc" }""");

        // Act
        var error = Fails(() => Serve());

        // Assert
        Assert.Contains("port", error.Message);
        Assert.Contains("'abc'", error.Message);
        Assert.Contains(file, error.Message);
    }

    [Fact]
    public void A_port_out_of_range_from_the_environment_names_SOCKCHAT_PORT_and_the_range()
    {
        // Act
        var error = Fails(() => Client(new() { ["name"] = "tester" }, new() { ["port"] = "70000" }));

        // Assert
        Assert.Contains("70000", error.Message);
        Assert.Contains("SOCKCHAT_PORT", error.Message);
        Assert.Contains("1-65535", error.Message);
    }

    [Fact]
    public void A_nested_environment_key_is_named_with_its_double_underscore()
    {
        // Act
        var error = Fails(() => Serve(environment: new() { ["server:maxClients"] = "0" }));

        // Assert
        Assert.Contains("SOCKCHAT_SERVER__MAXCLIENTS", error.Message);
    }

    [Fact]
    public void A_bad_flag_value_names_the_flag()
    {
        // Act
        var error = Fails(() => Serve(flags: new() { ["port"] = "70000" }));

        // Assert
        Assert.Contains("--port", error.Message);
        Assert.Contains("0-65535", error.Message);
    }

    [Fact]
    public void Several_problems_are_reported_together_in_one_message()
    {
        // Arrange
        var file = _work.Write("chat.json", """{ "port": "abc", "room": "no spaces allowed" }""");

        // Act
        var error = Fails(() => Client(new() { ["name"] = "a b" }, new() { ["client:timeoutSeconds"] = "0" }));

        // Assert
        Assert.Contains("'abc'", error.Message);
        Assert.Contains("--name", error.Message);
        Assert.Contains("SOCKCHAT_CLIENT__TIMEOUTSECONDS", error.Message);
        Assert.Contains("room", error.Message);
        Assert.Contains(file, error.Message);
    }

    [Theory]
    [InlineData("flag", "--name")]
    [InlineData("env", "SOCKCHAT_NAME")]
    [InlineData("file", "chat.json")]
    public void An_invalid_name_names_where_it_came_from(string layer, string expectedSource)
    {
        // Arrange
        var flags = new Dictionary<string, string?>();
        var environment = new Dictionary<string, string?>();
        switch (layer)
        {
            case "flag": flags["name"] = "a b"; break;
            case "env": environment["name"] = "a b"; break;
            default: _work.Write("chat.json", """{ "name": "a b" }"""); break;
        }

        // Act
        var error = Fails(() => Client(flags, environment));

        // Assert
        Assert.Contains("'a b'", error.Message);
        Assert.Contains(expectedSource, error.Message);
    }

    [Fact]
    public void A_room_with_a_hash_and_capitals_is_normalized()
    {
        // Act
        var settings = Client(new() { ["name"] = "tester", ["room"] = "#Dev" });

        // Assert
        Assert.Equal("dev", settings.Room);
    }

    [Fact]
    public void A_name_is_trimmed_and_kept_in_its_display_form()
    {
        // Act
        var settings = Client(environment: new() { ["name"] = "  Alice " });

        // Assert
        Assert.Equal("Alice", settings.Name);
    }

    [Fact]
    public void Unknown_keys_in_chat_json_produce_a_warning_naming_each_key()
    {
        // Arrange
        _work.Write("chat.json", """{ "port": 7001, "colour": "blue", "server": { "maxClients": 5, "bogus": true } }""");

        // Act
        var layers = Load();

        // Assert
        Assert.Equal(2, layers.Warnings.Count);
        Assert.Contains(layers.Warnings, w => w.Contains("\"colour\"", StringComparison.Ordinal) && w.Contains(layers.File!, StringComparison.Ordinal));
        Assert.Contains(layers.Warnings, w => w.Contains("\"server.bogus\"", StringComparison.Ordinal));
        Assert.Equal(5, SettingsBinder.Serve(layers).MaxClients);
    }

    [Fact]
    public void Known_keys_produce_no_warning()
    {
        // Arrange
        _work.Write("chat.json", """
            { "host": "h", "port": 1, "name": "n", "room": "r",
              "server": { "maxClients": 1, "maxLineBytes": 1024, "outboxMaxBytes": 65536, "historyReplay": 0, "motd": "m", "logLevel": "Debug" },
              "client": { "timeoutSeconds": 3, "logLevel": "Warning" } }
            """);

        // Act
        var layers = Load();

        // Assert
        Assert.Empty(layers.Warnings);
    }

    [Fact]
    public void Serve_accepts_port_zero_while_clients_reject_it()
    {
        // Arrange
        var flags = new Dictionary<string, string?> { ["port"] = "0", ["name"] = "tester" };

        // Act
        var serve = Serve(flags);
        var error = Fails(() => Client(flags));

        // Assert
        Assert.Equal(0, serve.Port);
        Assert.Contains("port 0", error.Message);
        Assert.Contains("--port", error.Message);
    }

    [Theory]
    [InlineData("""{ "server": { "maxClients": true } }""", "server.maxClients must be a whole number, not true", "server.maxClients")]
    [InlineData("""{ "server": { "maxClients": "10" } }""", "server.maxClients must be a whole number, not a string ('10')", "server.maxClients")]
    [InlineData("""{ "server": { "tlsSelfSigned": "yes" } }""", "server.tlsSelfSigned must be true or false, not a string ('yes')", "server.tlsSelfSigned")]
    [InlineData("""{ "server": { "tlsSelfSigned": 1 } }""", "server.tlsSelfSigned must be true or false, not a number (1)", "server.tlsSelfSigned")]
    [InlineData("""{ "server": { "motd": 42 } }""", "server.motd must be a string, not a number (42)", "server.motd")]
    [InlineData("""{ "password": 1234 }""", "password must be a string, not a number (1234)", "password")]
    [InlineData("""{ "host": {} }""", "host must be a string, not an object", "host")]
    [InlineData("""{ "server": { "logLevel": [] } }""", "server.logLevel must be a string, not a list", "server.logLevel")]
    [InlineData("""{ "server": { "rateBurst": ["5"] } }""", "server.rateBurst must be a single value", "server.rateBurst")]
    public void A_value_of_the_wrong_json_type_in_chat_json_is_a_problem_naming_the_file_and_key(string json, string expected, string key)
    {
        // Arrange
        var file = _work.Write("chat.json", json);

        // Act
        var error = Fails(() => Serve());

        // Assert
        Assert.Contains(expected, error.Message);
        Assert.Contains($"{file} (key \"{key}\")", error.Message);
    }

    [Fact]
    public void A_flag_or_variable_overriding_a_wrong_json_type_in_chat_json_wins_without_a_problem()
    {
        // Arrange
        _work.Write("chat.json", """{ "server": { "maxClients": true, "tlsSelfSigned": "yes" } }""");

        // Act
        var serve = Serve(flags: new() { ["server:maxClients"] = "5" }, environment: new() { ["server:tlsSelfSigned"] = "true" });

        // Assert
        Assert.Equal(5, serve.MaxClients);
        Assert.True(serve.TlsSelfSigned);
    }

    [Fact]
    public void Null_in_chat_json_is_the_same_as_leaving_the_key_out()
    {
        _work.Write("chat.json", """{ "server": { "maxClients": null, "motd": null } }""");

        Assert.Equal(new ServeSettings(), Serve());
    }

    [Theory]
    [InlineData("flag", "--password")]
    [InlineData("env", "SOCKCHAT_PASSWORD")]
    [InlineData("file", "chat.json")]
    public void An_empty_password_is_a_problem_naming_its_source_for_serve_and_clients(string layer, string expectedSource)
    {
        // Arrange
        var flags = new Dictionary<string, string?> { ["name"] = "ci" };
        var environment = new Dictionary<string, string?>();
        switch (layer)
        {
            case "flag": flags["password"] = ""; break;
            case "env": environment["password"] = ""; break;
            default: _work.Write("chat.json", """{ "password": "" }"""); break;
        }

        // Act
        var serveError = Fails(() => Serve(flags, environment));
        var clientError = Fails(() => Client(flags, environment));

        // Assert
        Assert.Contains("password is empty", serveError.Message);
        Assert.Contains(expectedSource, serveError.Message);
        Assert.Contains("password is empty", clientError.Message);
    }

    [Fact]
    public void An_object_where_a_value_belongs_is_a_problem_naming_the_key()
    {
        // Arrange
        _work.Write("chat.json", """{ "port": { "number": 7000 } }""");

        // Act
        var error = Fails(() => Serve());

        // Assert
        Assert.Contains("port must be a single value", error.Message);
    }

    [Fact]
    public void An_empty_host_from_the_environment_is_a_problem_naming_SOCKCHAT_HOST()
    {
        // Act
        var error = Fails(() => Serve(environment: new() { ["host"] = " " }));

        // Assert
        Assert.Contains("host is empty", error.Message);
        Assert.Contains("SOCKCHAT_HOST", error.Message);
    }

    [Fact]
    public void An_unknown_log_level_is_a_problem_naming_its_source()
    {
        // Act
        var error = Fails(() => Serve(flags: new() { ["server:logLevel"] = "loud" }));

        // Assert
        Assert.Contains("'loud'", error.Message);
        Assert.Contains("--log-level", error.Message);
    }
}
