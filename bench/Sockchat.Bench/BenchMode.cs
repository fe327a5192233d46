namespace Sockchat.Bench;

public enum BenchMode
{
    /// <summary>Senders post messages; every client reads everything.</summary>
    Chat,

    /// <summary>Connect, wait until ready, hold the connections, measure the server's memory per connection.</summary>
    Idle,

    /// <summary>
    /// The big room: every client joins the dialect's default room (paced by --connect-rate),
    /// then client 0 posts one message; reports how many registered within a window of the last
    /// connect, how many got the message within a window of its posting, and the server's memory
    /// per connection held.
    /// </summary>
    Room,
}
