using Microsoft.Extensions.Logging;

namespace Sockchat.Server;

/// <summary>The server's log messages (source-generated). Message text is never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, string endPoint);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "stopping: telling {Count} clients")]
    public static partial void Stopping(ILogger logger, int count);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "connection {ConnectionId} from {RemoteEndPoint}")]
    public static partial void Connected(ILogger logger, long connectionId, string? remoteEndPoint);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "connection {ConnectionId} ({Nick}) closed: {Reason}")]
    public static partial void Disconnected(ILogger logger, long connectionId, string? nick, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "connection {ConnectionId} is {Nick} in #{Room}")]
    public static partial void UserJoined(ILogger logger, long connectionId, string nick, string room);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "connection {ConnectionId} renamed {OldNick} -> {Nick}")]
    public static partial void NickChanged(ILogger logger, long connectionId, string oldNick, string nick);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "connection {ConnectionId} refused: {Code}")]
    public static partial void Refused(ILogger logger, long connectionId, string code);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "connection {ConnectionId} sent a line over {Limit} bytes")]
    public static partial void LineTooLong(ILogger logger, long connectionId, int limit);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "connection {ConnectionId} ({Nick}) is not reading: {QueuedBytes} bytes queued; disconnecting as slow")]
    public static partial void SlowConsumer(ILogger logger, long connectionId, string? nick, long queuedBytes);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "refusing connection from {RemoteEndPoint}: server full ({MaxClients} clients)")]
    public static partial void ServerFull(ILogger logger, string? remoteEndPoint, int maxClients);

    [LoggerMessage(EventId = 12, Level = LogLevel.Debug, Message = "connection {ConnectionId} reset: {Detail}")]
    public static partial void ConnectionReset(ILogger logger, long connectionId, string detail);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "connection {ConnectionId} failed")]
    public static partial void SessionFailed(ILogger logger, Exception exception, long connectionId);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "connection {ConnectionId} from {RemoteEndPoint}: TLS handshake failed: {Detail}")]
    public static partial void TlsFailed(ILogger logger, long connectionId, string? remoteEndPoint, string detail);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "connection {ConnectionId} said nothing usable within {Seconds} s; closing")]
    public static partial void HandshakeTimeout(ILogger logger, long connectionId, double seconds);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "connection {ConnectionId} ({Nick}) did not answer a ping; closing as timeout")]
    public static partial void IdleTimeout(ILogger logger, long connectionId, string? nick);

    [LoggerMessage(EventId = 23, Level = LogLevel.Warning, Message = "connection {ConnectionId} ({Nick}) is flooding; disconnecting")]
    public static partial void Flooding(ILogger logger, long connectionId, string? nick);

    [LoggerMessage(EventId = 24, Level = LogLevel.Warning, Message = "connection {ConnectionId} spoke {Protocol} on the chat port; closing")]
    public static partial void CrossProtocol(ILogger logger, long connectionId, string protocol);

    [LoggerMessage(EventId = 25, Level = LogLevel.Warning, Message = "refusing connection from {RemoteEndPoint}: {Count} connections from that address already")]
    public static partial void TooManyFromAddress(ILogger logger, string? remoteEndPoint, int count);

    // Debug, not Warning: a client may ask again and again, and each refusal is answered to it anyway.
    [LoggerMessage(EventId = 26, Level = LogLevel.Debug, Message = "connection {ConnectionId} could not create room {Room}: the server holds its most ({MaxRooms})")]
    public static partial void RoomLimit(ILogger logger, long connectionId, string room, int maxRooms);

    [LoggerMessage(EventId = 27, Level = LogLevel.Warning, Message = "connection {ConnectionId} ({Nick}): {Count} more warnings about it were left out of the log")]
    public static partial void WarningsSuppressed(ILogger logger, long connectionId, string? nick, long count);

    [LoggerMessage(EventId = 28, Level = LogLevel.Warning, Message = "joined/left notices of room {Room} could not be sent")]
    public static partial void PresenceFlushFailed(ILogger logger, string room, Exception exception);

    [LoggerMessage(EventId = 15, Level = LogLevel.Critical, Message = "the {Loop} loop failed; the server is stopping, since without it messages would be lost")]
    public static partial void LoopFailed(ILogger logger, Exception exception, string loop);
}
