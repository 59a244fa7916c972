using Exp.Runner.Slurm;

namespace Exp.Runner.Tests.Slurm;

public class QueueEntryTests
{
    [Fact]
    public void Squeue_lines_give_each_element_its_state_reason_and_node()
    {
        // As printed by squeue --noheader --array --states=all --format=%F|%K|%T|%r|%N (Slurm 22.05).
        var entries = QueueEntry.Parse("13|2|PENDING|JobArrayTaskLimit|\n13|0|RUNNING|None|n1\n13|1|RUNNING|None|n2\n");

        Assert.Equal(["13_2", "13_0", "13_1"], entries.Select(e => e.ElementId));
        Assert.Equal(("PENDING", "JobArrayTaskLimit", ""), (entries[0].State, entries[0].Reason, entries[0].Node));
        Assert.Equal("n2", entries[2].Node);
        Assert.True(entries[0].IsPending);
        Assert.False(entries[1].IsFinal);
    }

    [Fact]
    public void A_line_of_several_pending_elements_is_expanded()
    {
        var entries = QueueEntry.Parse("20|2-4,7%2|PENDING|Priority|\n");

        Assert.Equal(["20_2", "20_3", "20_4", "20_7"], entries.Select(e => e.ElementId));
    }

    [Theory]
    [InlineData("PREEMPTED")]
    [InlineData("REQUEUED")]
    [InlineData("REQUEUE_HOLD")]
    [InlineData("COMPLETING")]
    [InlineData("RUNNING")]
    public void Preempted_and_requeued_elements_are_not_final(string state) =>
        Assert.False(new QueueEntry("1", 0, state, "None", "n1").IsFinal);

    [Theory]
    [InlineData("COMPLETED")]
    [InlineData("FAILED")]
    [InlineData("CANCELLED")]
    [InlineData("TIMEOUT")]
    [InlineData("NODE_FAIL")]
    [InlineData("OUT_OF_MEMORY")]
    public void Ended_elements_are_final(string state) =>
        Assert.True(new QueueEntry("1", 0, state, "None", "n1").IsFinal);

    [Fact]
    public void A_line_that_is_not_squeue_output_is_an_error_not_a_silent_empty_queue() =>
        Assert.Throws<FormatException>(() => QueueEntry.Parse("slurm_load_jobs error: Unable to contact slurm controller"));

    [Fact]
    public void MaxArraySize_is_read_from_scontrol_show_config_with_Slurms_default_otherwise()
    {
        Assert.Equal(3, ClusterConfig.Parse("Configuration data as of 2026-11-25T20:14:31\nMaxArraySize            = 3\nMaxJobCount = 10000\n").MaxArraySize);
        Assert.Equal(1001, ClusterConfig.Parse("MaxJobCount = 10000\n").MaxArraySize);
    }
}
