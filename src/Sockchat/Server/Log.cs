using Microsoft.Extensions.Logging;

namespace Sockchat.Server;

/// <summary>The server's log messages (source-generated). Message text is never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, string endPoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopping: telling {Count} clients")]
    public static partial void Stopping(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "connection {ConnectionId} from {RemoteEndPoint}")]
    public static partial void Connected(ILogger logger, long connectionId, string? remoteEndPoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "connection {ConnectionId} ({Nick}) closed: {Reason}")]
    public static partial void Disconnected(ILogger logger, long connectionId, string? nick, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "connection {ConnectionId} is {Nick} in #{Room}")]
    public static partial void UserJoined(ILogger logger, long connectionId, string nick, string room);

    [LoggerMessage(Level = LogLevel.Information, Message = "connection {ConnectionId} renamed {OldNick} -> {Nick}")]
    public static partial void NickChanged(ILogger logger, long connectionId, string oldNick, string nick);

    [LoggerMessage(Level = LogLevel.Information, Message = "connection {ConnectionId} refused: {Code}")]
    public static partial void Refused(ILogger logger, long connectionId, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "connection {ConnectionId} sent a line over {Limit} bytes")]
    public static partial void LineTooLong(ILogger logger, long connectionId, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "connection {ConnectionId} ({Nick}) is not reading: {QueuedBytes} bytes queued; disconnecting as slow")]
    public static partial void SlowConsumer(ILogger logger, long connectionId, string? nick, long queuedBytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "refusing connection from {RemoteEndPoint}: server full ({MaxClients} clients)")]
    public static partial void ServerFull(ILogger logger, string? remoteEndPoint, int maxClients);

    [LoggerMessage(Level = LogLevel.Debug, Message = "connection {ConnectionId} reset: {Detail}")]
    public static partial void ConnectionReset(ILogger logger, long connectionId, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "connection {ConnectionId} failed")]
    public static partial void SessionFailed(ILogger logger, Exception exception, long connectionId);

    [LoggerMessage(Level = LogLevel.Critical, Message = "the accept loop failed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);
}
