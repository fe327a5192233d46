namespace Sockchat.Client;

/// <summary>Where <c>join</c> shows lines and gets what its user types: an interactive terminal or plain pipes.</summary>
public interface IChatScreen : IAsyncDisposable
{
    /// <summary>Shows one line above whatever the user is typing.</summary>
    void WriteLine(string line);

    /// <summary>Lines the user entered, in order; completes at end of input.</summary>
    IAsyncEnumerable<string> ReadLinesAsync(CancellationToken cancellationToken);
}
