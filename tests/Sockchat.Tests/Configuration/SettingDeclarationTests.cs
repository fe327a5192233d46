using System.Reflection;
using Microsoft.Extensions.Configuration.Memory;
using Sockchat.Configuration;
using Sockchat.Tests.Infrastructure;

namespace Sockchat.Tests.Configuration;

/// <summary>
/// The declaration table is well formed, and the kinds of setting coming next (a default computed
/// from another setting, a switch, a list of strings) read from every layer like the rest.
/// </summary>
public sealed class SettingDeclarationTests : IDisposable
{
    private static readonly IntegerSetting<int> WebPort = new("web.port", "--web-port")
    {
        UsedBy = SettingCommands.Serve,
        DefaultFrom = values => values.Get(SettingDeclarations.Port) + 1,
        DefaultShown = "the chat port + 1",
        Min = 0,
        Max = 65535,
        Help = "Port of the web client",
    };

    private static readonly ListSetting AllowedOrigins = new("web.allowedOrigins", "--allowed-origin")
    {
        UsedBy = SettingCommands.Serve,
        Help = "Origins allowed to open the web socket",
    };

    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private LayeredSettings Load(Dictionary<string, string?>? flags = null, Dictionary<string, string?>? environment = null) =>
        new SettingsLoader(new MemoryConfigurationSource { InitialData = environment ?? [] }, _work.Path, _work.Path).Load(flags ?? [], null);

    private SettingValues Serve(Dictionary<string, string?>? flags = null, Dictionary<string, string?>? environment = null) =>
        Load(flags, environment).For(SettingCommands.Serve);

    [Fact]
    public void Every_declared_setting_is_in_the_table_once_with_its_own_key_flag_and_variable()
    {
        // Arrange
        var fields = typeof(SettingDeclarations).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => typeof(Setting).IsAssignableFrom(f.FieldType))
            .Select(f => (Setting)f.GetValue(null)!);

        // Assert
        Assert.Equal(fields.OrderBy(s => s.Key), SettingDeclarations.All.OrderBy(s => s.Key));
        Assert.Equal(SettingDeclarations.All.Count, SettingDeclarations.All.Select(s => s.Key.ToUpperInvariant()).Distinct().Count());
        Assert.Equal(SettingDeclarations.All.Count, SettingDeclarations.All.Select(s => s.EnvironmentName).Distinct().Count());
        var flags = SettingDeclarations.All.Where(s => s.Flag is not null).SelectMany(s => s.Aliases.Prepend(s.Flag!)).ToList();
        Assert.Equal(flags.Count, flags.Distinct().Count());
        Assert.All(SettingDeclarations.All, s => Assert.NotEqual(SettingCommands.None, s.UsedBy));
    }

    [Fact]
    public void The_variable_is_the_key_in_capitals_with_double_underscores()
    {
        Assert.Equal("SOCKCHAT_SERVER__MAXCLIENTS", SettingDeclarations.MaxClients.EnvironmentName);
        Assert.Equal("SOCKCHAT_PORT", SettingDeclarations.Port.EnvironmentName);
    }

    [Fact]
    public void Help_shows_the_default_and_the_servers_own_wording()
    {
        Assert.Equal("Most clients connected at once [default: 10000]", SettingDeclarations.MaxClients.HelpFor(SettingCommands.Serve));
        Assert.StartsWith("Port to listen on", SettingDeclarations.Port.HelpFor(SettingCommands.Serve));
        Assert.StartsWith("Server port", SettingDeclarations.Port.HelpFor(SettingCommands.Join));
    }

    [Fact]
    public void A_computed_default_follows_the_setting_it_is_computed_from()
    {
        // Act
        var values = Serve(environment: new() { ["port"] = "8000" });

        // Assert
        Assert.Equal(8001, values.Get(WebPort));
        Assert.Equal("the chat port + 1", WebPort.DefaultText);
    }

    [Fact]
    public void A_computed_default_gives_way_to_a_value_from_any_layer()
    {
        // Arrange
        _work.Write("chat.json", """{ "port": 8000, "web": { "port": 9000 } }""");

        // Act
        var values = Serve();

        // Assert
        Assert.Equal(9000, values.Get(WebPort));
    }

    [Fact]
    public void A_list_comes_from_chat_json_as_a_json_list()
    {
        // Arrange
        _work.Write("chat.json", """{ "web": { "allowedOrigins": ["https://a.example", "https://b.example"] } }""");

        // Act
        var origins = Serve().Get(AllowedOrigins);

        // Assert
        Assert.Equal(["https://a.example", "https://b.example"], origins);
    }

    [Fact]
    public void A_list_from_a_variable_is_split_at_commas_and_replaces_the_files_list_whole()
    {
        // Arrange
        _work.Write("chat.json", """{ "web": { "allowedOrigins": ["https://a.example", "https://b.example", "https://c.example"] } }""");

        // Act
        var values = Serve(environment: new() { ["web:allowedOrigins"] = "https://x.example, https://y.example" });

        // Assert
        Assert.Equal(["https://x.example", "https://y.example"], values.Get(AllowedOrigins));
        Assert.Equal("SOCKCHAT_WEB__ALLOWEDORIGINS", values.SourceOf(AllowedOrigins));
    }

    [Fact]
    public void A_list_given_by_a_flag_beats_the_file_and_no_list_is_empty()
    {
        // Arrange
        _work.Write("chat.json", """{ "web": { "allowedOrigins": ["https://a.example", "https://b.example"] } }""");

        // Act
        var flagged = Serve(flags: new() { ["web:allowedOrigins:0"] = "https://z.example" }).Get(AllowedOrigins);
        _work.Write("chat.json", "{}");
        var none = Serve().Get(AllowedOrigins);

        // Assert
        Assert.Equal(["https://z.example"], flagged);
        Assert.Empty(none);
    }

    [Theory]
    [InlineData("""{ "web": { "allowedOrigins": "https://a.example" } }""", "web.allowedOrigins must be a list of strings, not a string ('https://a.example')")]
    [InlineData("""{ "web": { "allowedOrigins": ["https://a.example", 7] } }""", "web.allowedOrigins must be a list of strings, not a list holding a number (7)")]
    [InlineData("""{ "web": { "allowedOrigins": [["https://a.example"]] } }""", "web.allowedOrigins must be a list of strings, not a list holding an object or list")]
    [InlineData("""{ "web": { "allowedOrigins": ["https://a.example", " "] } }""", "web.allowedOrigins has an empty item")]
    public void A_list_of_the_wrong_shape_in_chat_json_is_a_problem_naming_the_file_and_key(string json, string expected)
    {
        // Arrange
        var file = _work.Write("chat.json", json);
        var layers = Load();

        // Act
        var origins = layers.For(SettingCommands.Serve).Get(AllowedOrigins);
        var error = Assert.Throws<ConfigurationException>(layers.ThrowIfInvalid);

        // Assert
        Assert.Empty(origins);
        Assert.Contains(expected, error.Message);
        Assert.Contains($"{file} (key \"web.allowedOrigins\")", error.Message);
    }

    [Fact]
    public void A_setting_read_by_a_command_it_is_not_declared_for_is_a_bug()
    {
        Assert.Throws<InvalidOperationException>(() => Serve().Get(SettingDeclarations.Name));
    }
}
