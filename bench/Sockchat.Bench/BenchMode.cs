namespace Sockchat.Bench;

public enum BenchMode
{
    /// <summary>Senders post messages; every client reads everything.</summary>
    Chat,

    /// <summary>Connect, wait until ready, hold the connections, measure the server's memory per connection.</summary>
    Idle,
}
