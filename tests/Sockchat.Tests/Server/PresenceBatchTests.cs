using Microsoft.Extensions.Time.Testing;
using Sockchat.Protocol;
using Sockchat.Server;
using Sockchat.Tests.Infrastructure;

namespace Sockchat.Tests.Server;

/// <summary>
/// Batched presence in busy rooms, on a fake clock: the hub's flush timer only fires when the test
/// advances it. A batched change reaches the batch behind the history writer's queue, so a test
/// waits for an ack of a later message (the queue is FIFO) before it advances the clock.
/// </summary>
public sealed class PresenceBatchTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Rooms of two members or more batch; the observer, alone at first, joins at once.</summary>
    private static ServerOptions Busy => new() { PresenceBatchMembers = 2, PresenceBatchInterval = Interval };

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    private static IEnumerable<string> NamesOf(JoinedFrame f) => f.Names ?? [f.Name];

    [Fact(Timeout = 30000)]
    public async Task Joins_within_an_interval_reach_the_room_as_one_frame_with_every_name()
    {
        // Arrange
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(Busy, time: time);
        await using var observer = await JsonTestClient.JoinAsync(server, "observer");
        var joiners = new List<JsonTestClient>();
        try
        {
            for (var i = 1; i <= 5; i++)
            {
                joiners.Add(await JsonTestClient.JoinAsync(server, $"j{i}"));
            }
            await observer.SayAndWaitAsync("every join is in the batch now");
            Assert.DoesNotContain(observer.Received<JoinedFrame>(), f => f.Name != "observer");

            // Act
            time.Advance(Interval);

            // Assert
            var batch = await observer.ExpectAsync<JoinedFrame>(f => f.Name != "observer");
            Assert.Equal(["j1", "j2", "j3", "j4", "j5"], batch.Names);
            Assert.Equal(("j1", 5), (batch.Name, batch.Count));
            await observer.SyncAsync();
            Assert.Single(observer.Received<JoinedFrame>(), f => f.Name != "observer");
            // Each joiner had its own one-name joined at once, before the batch.
            var own = await joiners[4].ReceivedOrExpectAsync<JoinedFrame>(f => f.Names is null);
            Assert.Equal("j5", own.Name);
        }
        finally
        {
            foreach (var joiner in joiners)
            {
                await joiner.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = 30000)]
    public async Task In_a_room_below_the_threshold_each_join_and_leave_is_its_own_frame_at_once()
    {
        // Arrange: the default threshold (100), and a clock that never moves.
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(new ServerOptions { PresenceBatchInterval = Interval }, time: time);
        await using var observer = await JsonTestClient.JoinAsync(server, "observer");

        // Act
        await using (await JsonTestClient.JoinAsync(server, "a"))
        await using (await JsonTestClient.JoinAsync(server, "b"))
        {
            await observer.ExpectAsync<JoinedFrame>(f => f.Name == "b");
        }
        await observer.ReceivedOrExpectAsync<LeftFrame>(f => f.Name == "a");
        await observer.ReceivedOrExpectAsync<LeftFrame>(f => f.Name == "b");

        // Assert
        Assert.All(observer.Received<JoinedFrame>(), f => Assert.Null(f.Names));
        Assert.Equal(["observer", "a", "b"], observer.Received<JoinedFrame>().Select(f => f.Name));
    }

    [Fact(Timeout = 30000)]
    public async Task A_client_that_asked_for_no_notices_gets_none_about_others_batched_or_not()
    {
        // Arrange
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(new ServerOptions { PresenceBatchMembers = 3, PresenceBatchInterval = Interval }, time: time);
        await using var quiet = await JsonTestClient.ConnectAsync(server.Port);
        await quiet.SendAsync(new HelloFrame("quiet", null, null, true, null, PresenceNotices: false));
        await quiet.ExpectAsync<WelcomeFrame>();
        await using var observer = await JsonTestClient.JoinAsync(server, "observer");

        // Act: one join below the threshold (immediate), two above (batched), and a leave.
        await using (await JsonTestClient.JoinAsync(server, "a"))
        await using (await JsonTestClient.JoinAsync(server, "b"))
        {
            await observer.SayAndWaitAsync("joins are in the batch");
            time.Advance(Interval);
            await observer.ExpectAsync<JoinedFrame>(f => f.Names is not null);
        }
        await WaitUntilAsync(() => server.Hub.PresentCount == 2);
        await observer.SayAndWaitAsync("leaves are in the batch");
        time.Advance(Interval);
        await observer.ExpectAsync<LeftFrame>();
        await quiet.SyncAsync();

        // Assert: its own joined (the answer to its hello), the messages, and nothing else.
        Assert.Equal("quiet", Assert.Single(quiet.Received<JoinedFrame>()).Name);
        Assert.Empty(quiet.Received<LeftFrame>());
        Assert.Equal(2, quiet.Received<MsgFrame>().Count());
    }

    [Fact(Timeout = 30000)]
    public async Task A_batched_left_comes_after_the_leavers_last_message()
    {
        // Arrange
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(Busy, time: time);
        await using var observer = await JsonTestClient.JoinAsync(server, "observer");
        var leaver = await JsonTestClient.JoinAsync(server, "leaver");
        await observer.SayAndWaitAsync("the join is in the batch");
        time.Advance(Interval);
        await observer.ExpectAsync<JoinedFrame>(f => f.Name == "leaver");

        // Act: a message, then at once a quit.
        await leaver.SayAsync("last words");
        await leaver.SendAsync(new QuitFrame(null));
        await WaitUntilAsync(() => server.Hub.PresentCount == 1);
        await leaver.DisposeAsync();
        await observer.SayAndWaitAsync("the leave is in the batch");
        var beforeFlush = observer.Received<LeftFrame>().Count();
        time.Advance(Interval);
        var left = await observer.ExpectAsync<LeftFrame>(f => f.Name == "leaver");

        // Assert
        Assert.Equal(0, beforeFlush);
        Assert.Equal("quit", left.Reason);
        var frames = observer.Frames.ToList();
        var lastWords = frames.FindIndex(f => f is MsgFrame { Text: "last words" });
        Assert.InRange(lastWords, 0, frames.IndexOf(left) - 1);
    }

    [Fact(Timeout = 30000)]
    public async Task A_pending_joiner_is_announced_before_its_first_message_without_waiting_for_the_interval()
    {
        // Arrange
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(Busy, time: time);
        await using var observer = await JsonTestClient.JoinAsync(server, "observer");
        await using var early = await JsonTestClient.JoinAsync(server, "early");

        // Act: the clock never moves; the joiner speaks at once.
        await using var talker = await JsonTestClient.JoinAsync(server, "talker");
        await talker.SayAsync("hi all");
        var message = await observer.ExpectAsync<MsgFrame>(m => m.Text == "hi all");

        // Assert: both pending joins were flushed, in one frame, before the message.
        var frames = observer.Frames.ToList();
        var joined = Assert.Single(frames.OfType<JoinedFrame>(), f => f.Name != "observer");
        Assert.Equal(["early", "talker"], NamesOf(joined));
        Assert.True(frames.IndexOf(joined) < frames.IndexOf(message));
    }

    [Fact(Timeout = 30000)]
    public async Task A_pending_joiner_that_changes_its_name_is_announced_under_its_old_name_first()
    {
        // Arrange
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(Busy, time: time);
        await using var observer = await JsonTestClient.JoinAsync(server, "observer");
        await using var joiner = await JsonTestClient.JoinAsync(server, "newbie");

        // Act
        await joiner.SendAsync(new NickFrame("oldtimer"));
        var nick = await observer.ExpectAsync<NickChangedFrame>();

        // Assert
        var frames = observer.Frames.ToList();
        var joined = Assert.Single(frames.OfType<JoinedFrame>(), f => f.Name == "newbie");
        Assert.True(frames.IndexOf(joined) < frames.IndexOf(nick));
    }

    [Fact(Timeout = 30000)]
    public async Task A_text_client_sees_a_batch_as_one_line_and_quiet_turns_notices_off()
    {
        // Arrange
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(Busy, time: time);
        await using var text = await TextTestClient.JoinAsync(server, "reader");
        await using var observer = await JsonTestClient.JoinAsync(server, "observer");
        await observer.SayAndWaitAsync("observer is in the batch");
        time.Advance(Interval);
        await text.ExpectLineAsync(l => l.Contains("* observer joined #general", StringComparison.Ordinal));
        await using var a = await JsonTestClient.JoinAsync(server, "a");
        await using var b = await JsonTestClient.JoinAsync(server, "b");
        await observer.SayAndWaitAsync("a and b are in the batch");

        // Act
        time.Advance(Interval);
        var line = await text.ExpectLineAsync(l => l.Contains("joined", StringComparison.Ordinal));
        await text.SendLineAsync("/quiet");
        await text.ExpectLineAsync(l => l.Contains("notices are off", StringComparison.Ordinal));
        await using (await JsonTestClient.JoinAsync(server, "c"))
        {
            await observer.SayAndWaitAsync("c is in the batch");
            time.Advance(Interval);
            await observer.ExpectAsync<JoinedFrame>(f => f.Name == "c");
        }
        await observer.SayAndWaitAsync("after c");
        var next = await text.ExpectLineAsync(l => l.Contains("after c", StringComparison.Ordinal) || l.Contains(" c joined", StringComparison.Ordinal));

        // Assert
        Assert.EndsWith("* 2 people joined #general", line, StringComparison.Ordinal);
        Assert.Contains("after c", next, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30000)]
    public async Task A_part_in_a_busy_room_is_answered_at_once_and_announced_with_the_batch()
    {
        // Arrange
        var time = new FakeTimeProvider();
        await using var server = await TestServer.StartAsync(Busy, time: time);
        await using var observer = await JsonTestClient.JoinAsync(server, "observer");
        await using var parter = await JsonTestClient.JoinAsync(server, "parter");
        await observer.SayAndWaitAsync("the join is in the batch");
        time.Advance(Interval);
        await observer.ExpectAsync<JoinedFrame>(f => f.Name == "parter");

        // Act
        await parter.SendAsync(new PartFrame(null));
        var own = await parter.ExpectAsync<LeftFrame>();
        await observer.SayAndWaitAsync("the part is in the batch");
        var beforeFlush = observer.Received<LeftFrame>().Count();
        time.Advance(Interval);
        var left = await observer.ExpectAsync<LeftFrame>();

        // Assert
        Assert.Equal(("parter", null), (own.Name, own.Reason));
        Assert.Equal(0, beforeFlush);
        Assert.Equal(("parter", null), (left.Name, left.Names));
    }
}
