using Exp.Runner.Slurm;

namespace Exp.Runner.Tests.Slurm;

public class TimeLimitRequeuesTests
{
    [Fact]
    public void A_trial_at_the_time_limit_is_requeued_until_the_limit_then_fails_with_the_reason()
    {
        var first = TimeLimitRequeues.Decide(earlier: 0, limit: 2, time: "30");
        var second = TimeLimitRequeues.Decide(earlier: 1, limit: 2, time: "30");
        var third = TimeLimitRequeues.Decide(earlier: 2, limit: 2, time: "30");

        Assert.Equal((true, 1), (first.Requeue, first.Count));
        Assert.Equal((true, 2), (second.Requeue, second.Count));
        Assert.False(third.Requeue);
        Assert.Contains("reached the time limit (execution.slurm.time: 30) after 2 requeue(s)", third.FailureReason);
        Assert.Contains("max_time_limit_requeues is 2", third.FailureReason);
    }

    [Fact]
    public void With_no_requeues_allowed_the_first_time_limit_fails_the_trial()
    {
        var decision = TimeLimitRequeues.Decide(earlier: 0, limit: 0, time: "");

        Assert.False(decision.Requeue);
        Assert.StartsWith("reached the partition's time limit;", decision.FailureReason);
    }
}
