namespace Sockchat.Configuration;

/// <summary>The settings as one command reads them (the port's range is not the same for <c>serve</c> and its clients).</summary>
public sealed class SettingValues
{
    private readonly LayeredSettings _layers;

    internal SettingValues(LayeredSettings layers, SettingCommands command)
    {
        _layers = layers;
        Command = command;
    }

    public SettingCommands Command { get; }

    /// <summary>The value from the first layer that has it, else the default; a bad value is recorded as a problem and the default used.</summary>
    /// <exception cref="InvalidOperationException">the setting is not declared for this command (a bug)</exception>
    public T Get<T>(Setting<T> setting) => (setting.UsedBy & Command) != 0
        ? _layers.Read(setting, this)
        : throw new InvalidOperationException($"{setting.Key} is not declared as used by {Command}; see SettingDeclarations");

    /// <summary>Where a setting's value comes from: a flag, a variable, the file and key, or "default".</summary>
    public string SourceOf(Setting setting) => _layers.SourceOf(setting);
}
