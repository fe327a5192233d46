namespace Sockchat.Protocol;

/// <summary>The error codes of PROTOCOL.md, as sent in <c>error.code</c>.</summary>
public static class ErrorCodes
{
    public const string BadFrame = "bad_frame";
    public const string TooLong = "too_long";
    public const string NameInvalid = "name_invalid";
    public const string NameTaken = "name_taken";
    public const string AuthFailed = "auth_failed";
    public const string RateLimited = "rate_limited";
    public const string NoSuchUser = "no_such_user";
    public const string NoSuchRoom = "no_such_room";
    public const string NotInRoom = "not_in_room";
    public const string ServerFull = "server_full";
    public const string UnknownCommand = "unknown_command";
    /// <summary>(sockchat) The server failed on its side, e.g. could not store a message.</summary>
    public const string ServerError = "server_error";
    /// <summary>(sockchat) The server holds its most rooms, or the connection has joined its most.</summary>
    public const string TooManyRooms = "too_many_rooms";
}
