namespace Exp.Runner.Slurm;

/// <summary>
/// What a trial does when Slurm warns it of the time limit: checkpoint and requeue, up to a
/// limit, then FAILED with the reason. Only time limits count; requeues after preemption or a
/// node failure do not (the trial did nothing wrong), as in submitit.
/// </summary>
public static class TimeLimitRequeues
{
    /// <param name="Requeue">Whether the trial asks for another allocation.</param>
    /// <param name="Count">Time-limit requeues so far, this one included.</param>
    /// <param name="FailureReason">Why the trial is FAILED, when it is not requeued.</param>
    public sealed record Decision(bool Requeue, int Count, string? FailureReason);

    /// <param name="earlier">Time-limit requeues this trial already had.</param>
    /// <param name="limit">execution.slurm.max_time_limit_requeues.</param>
    /// <param name="time">execution.slurm.time as written ("" for the partition's limit).</param>
    public static Decision Decide(int earlier, int limit, string time)
    {
        var reached = time == "" ? "the partition's time limit" : $"the time limit (execution.slurm.time: {time})";
        if (earlier < limit)
        {
            return new Decision(true, earlier + 1, null);
        }
        var times = earlier == 0 ? "" : $" after {earlier} requeue(s)";
        return new Decision(false, earlier, $"reached {reached}{times}; execution.slurm.max_time_limit_requeues is {limit}. Raise the time or the requeues; it resumes from its last checkpoint on the next run");
    }
}
