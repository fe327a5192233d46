using Microsoft.Extensions.Logging;

namespace Sockchat.Web;

internal static partial class WebLog
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "web on {Url} ({Files} page files)")]
    public static partial void Listening(ILogger logger, string url, int files);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "refused a WebSocket from origin {Origin} (host {Host}, address {RemoteEndPoint})")]
    public static partial void OriginRefused(ILogger logger, string origin, string? host, string? remoteEndPoint);

    [LoggerMessage(EventId = 602, Level = LogLevel.Debug, Message = "WebSocket session from {RemoteEndPoint} reset: {Reason}")]
    public static partial void SessionReset(ILogger logger, string? remoteEndPoint, string reason);

    [LoggerMessage(EventId = 603, Level = LogLevel.Error, Message = "WebSocket session from {RemoteEndPoint} failed")]
    public static partial void SessionFailed(ILogger logger, string? remoteEndPoint, Exception exception);
}
