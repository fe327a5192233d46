using Sockchat.Protocol;

namespace Sockchat.Configuration;

/// <summary>A setting is missing, malformed or out of range; the message names the value's source. Exit code 2.</summary>
public sealed class ConfigurationException(string message) : SockchatException(message);
