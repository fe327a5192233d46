using Sockchat.Bench;

namespace Sockchat.Tests.Bench;

/// <summary>The server's memory and CPU time as the generator reads them from /proc/PID/status and /proc/PID/stat.</summary>
public sealed class ProcStatusTests
{
    private const string Status = """
        Name:	sockchat
        Umask:	0022
        State:	S (sleeping)
        Pid:	4321
        VmPeak:	 3123456 kB
        VmSize:	 3045678 kB
        VmHWM:	   98765 kB
        VmRSS:	   54321 kB
        RssAnon:	   40000 kB
        Threads:	12
        """;

    [Fact]
    public void Resident_and_peak_memory_are_read_from_the_VmRSS_and_VmHWM_lines_in_KiB()
    {
        Assert.Equal(new ServerMemory(RssKib: 54_321, HwmKib: 98_765), ProcStatus.ParseMemory(Status));
    }

    [Fact]
    public void A_status_without_both_memory_lines_gives_no_reading()
    {
        // A kernel thread's status has neither; a truncated read may hold only one.
        Assert.Null(ProcStatus.ParseMemory("Name:\tkthreadd\nState:\tS (sleeping)\n"));
        Assert.Null(ProcStatus.ParseMemory("VmRSS:\t   54321 kB\n"));
        Assert.Null(ProcStatus.ParseMemory("VmHWM:\t   98765 kB\nVmRSS:\t   lots kB\n"));
    }

    [Fact]
    public void Cpu_time_is_user_plus_system_ticks_at_100_per_second_even_when_the_command_name_has_spaces_and_parentheses()
    {
        // Arrange: fields 14 (utime) = 250 and 15 (stime) = 50.
        const string stat = "4321 (dotnet (x) y) S 1 4321 4321 0 -1 4194560 9000 0 12 0 250 50 0 0 20 0 12 0 12345 3045678000 13580 18446744073709551615 1 1 0 0 0 0 0 4096 17630 0 0 0 17 0 0 0 0 0 0";

        // Act
        var seconds = ProcStatus.ParseCpuSeconds(stat);

        // Assert
        Assert.Equal(3.0, seconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("4321 sockchat S 1 2 3")]
    [InlineData("4321 (sockchat) S 1 4321 4321 0 -1 4194560 9000 0 12 0")]
    [InlineData("4321 (sockchat) S 1 4321 4321 0 -1 4194560 9000 0 12 0 x 50 0")]
    public void A_stat_line_without_readable_cpu_fields_gives_no_reading(string stat)
    {
        Assert.Null(ProcStatus.ParseCpuSeconds(stat));
    }

    [Fact]
    public void A_stat_line_that_ends_after_the_command_name_gives_no_reading_instead_of_throwing()
    {
        // Arrange
        double? seconds = -1;

        // Act
        var error = Record.Exception(() => seconds = ProcStatus.ParseCpuSeconds("4321 (sockchat)"));

        // Assert
        Assert.Null(error);
        Assert.Null(seconds);
    }

    [Fact]
    public void This_process_can_be_read_and_a_process_that_does_not_exist_gives_no_reading()
    {
        // Act
        var memory = ProcStatus.ReadMemory(Environment.ProcessId);
        var cpu = ProcStatus.ReadCpuSeconds(Environment.ProcessId);

        // Assert
        Assert.NotNull(memory);
        Assert.True(memory.Value.RssKib > 0 && memory.Value.HwmKib >= memory.Value.RssKib, $"{memory}");
        Assert.NotNull(cpu);
        Assert.True(cpu > 0, $"cpu {cpu}");
        Assert.Null(ProcStatus.ReadMemory(int.MaxValue));
        Assert.Null(ProcStatus.ReadCpuSeconds(int.MaxValue));
    }
}
