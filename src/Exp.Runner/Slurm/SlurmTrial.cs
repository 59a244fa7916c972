using Exp.Runner.Trials;
using Exp.Spec;
using Exp.Tracking;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking.Recording;
using Serilog;

namespace Exp.Runner.Slurm;

/// <summary>
/// One trial inside a Slurm array element (`exp trial ... --slurm`): tags its run with the
/// element, resumes it from its checkpoint after any requeue, and at the time-limit signal
/// checkpoints and asks for a requeue (<see cref="JobScript.RequeueExitCode"/>) until the
/// limit of such requeues, after which the run is FAILED with the reason.
/// </summary>
public static class SlurmTrial
{
    /// <param name="timeLimit">Cancelled when Slurm's time-limit signal (USR1) arrives.</param>
    /// <param name="stop">Cancelled by TERM/INT (scancel, preemption): stop at the next step, KILLED.</param>
    public static async Task<int> RunAsync(
        Plan plan, Trial trial, string runId, TrialExecutionOptions options, Func<string, ILogger> openLog, ITrackingLog trackingLog,
        CancellationToken timeLimit, CancellationToken stop)
    {
        var store = new FileStore(TrackingTarget.Parse(plan.Tracking.Uri, plan.Tracking.Local).LocalDirectory);
        var element = Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID") is { } array
            ? $"{array}_{Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID")}"
            : Environment.GetEnvironmentVariable("SLURM_JOB_ID") ?? "";
        var run = store.GetRun(runId);
        var tags = store.GetTags(runId);
        if (run.Status == RunStatus.Finished)
        {
            // An element requeued after this trial finished runs its later trials only.
            return 0;
        }
        if (run.Status == RunStatus.Failed && tags.GetValueOrDefault(SlurmTags.Element) == element)
        {
            // Failed for its own reasons in this element: once, not again at every requeue.
            return 1;
        }
        store.SetTags(runId,
        [
            new RunTag(SlurmTags.Element, element),
            new RunTag(SlurmTags.JobId, Environment.GetEnvironmentVariable("SLURM_JOB_ID") ?? ""),
            new RunTag(SlurmTags.Node, Environment.GetEnvironmentVariable("SLURMD_NODENAME") ?? ""),
            new RunTag(SlurmTags.Restarts, Environment.GetEnvironmentVariable("SLURM_RESTART_COUNT") ?? "0"),
            new RunTag(SlurmTags.Gpus, Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES") ?? ""),
        ]);

        using var either = CancellationTokenSource.CreateLinkedTokenSource(stop, timeLimit);
        var outcome = await TrialHost.RunAsync(plan, trial, runId, options, openLog, trackingLog, either.Token);
        if (outcome.Status != TrialStatus.Killed || !timeLimit.IsCancellationRequested || stop.IsCancellationRequested)
        {
            return outcome.ExitCode;
        }

        var earlier = int.TryParse(store.GetTags(runId).GetValueOrDefault(SlurmTags.TimeLimitRequeues), out var count) ? count : 0;
        var decision = TimeLimitRequeues.Decide(earlier, plan.Execution.Slurm.MaxTimeLimitRequeues, plan.Execution.Slurm.Time);
        if (decision.Requeue)
        {
            var note = $"reached the time limit; checkpointed and requeued ({decision.Count} of {plan.Execution.Slurm.MaxTimeLimitRequeues})";
            store.SetTags(runId, [new RunTag(SlurmTags.TimeLimitRequeues, decision.Count.ToString()), new RunTag(TrialTags.Failure, ""), new RunTag(TrialTags.Note, note)]);
            // Waiting for its next allocation, as MLflow says of a run not started yet.
            store.UpdateRun(runId, RunStatus.Scheduled, null);
            return JobScript.RequeueExitCode;
        }
        store.SetTags(runId, [new RunTag(TrialTags.Failure, decision.FailureReason!), new RunTag(TrialTags.Note, decision.FailureReason!)]);
        store.UpdateRun(runId, RunStatus.Failed, store.Now());
        return 1;
    }
}
