using Exp.Runner.Jobs;
using Exp.Runner.Launching;
using Exp.Runner.Trials;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;

namespace Exp.Runner.Slurm;

/// <summary>
/// One trial job inside a Slurm array element (`exp trial --job FILE --slurm`): tags its run
/// with the element, resumes from its checkpoint after any requeue, and at the time-limit
/// signal checkpoints and asks for a requeue (<see cref="JobScript.RequeueExitCode"/>) until
/// the limit of such requeues, after which it reports itself FAILED with the reason. Like
/// every trial, it only reports: the sweep's runner ends the run from the report.
/// </summary>
public static class SlurmTrial
{
    /// <param name="maxTimeLimitRequeues">execution.slurm.max_time_limit_requeues.</param>
    /// <param name="time">execution.slurm.time, for the reason ("" for the partition's limit).</param>
    /// <param name="timeLimit">Cancelled when Slurm's time-limit signal (USR1) arrives.</param>
    /// <param name="stop">Cancelled by TERM/INT (scancel, preemption): stop at the next step, KILLED.</param>
    public static async Task<int> RunAsync(
        TrialJobFile job, TrialWorkerOptions options, int maxTimeLimitRequeues, string time, CancellationToken timeLimit, CancellationToken stop)
    {
        var store = new FileStore(job.Job.Tracking.LocalStore);
        var runId = job.Job.RunId;
        var outcome = RunFolders.OutcomeFile(job.RunDirectory);
        // The runner deletes the outcome before each submission: one found here was reported in
        // this submission, by an element that was requeued since. Finished stays finished, and a
        // trial that failed for its own reasons fails once, not at every requeue.
        if (TrialReport.TryRead(outcome) is { Status: TrialStatus.Finished or TrialStatus.Failed or TrialStatus.Paused } reported)
        {
            return reported.ExitCode;
        }
        var element = Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID") is { } array
            ? $"{array}_{Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID")}"
            : Environment.GetEnvironmentVariable("SLURM_JOB_ID") ?? "";
        var node = Environment.GetEnvironmentVariable("SLURMD_NODENAME") ?? "";
        var restarts = Environment.GetEnvironmentVariable("SLURM_RESTART_COUNT") ?? "0";
        // For the MLflow UI: where the trial ran, as Slurm's own tools name it.
        store.SetTags(runId,
        [
            new RunTag(SlurmTags.Element, element),
            new RunTag(SlurmTags.JobId, Environment.GetEnvironmentVariable("SLURM_JOB_ID") ?? ""),
            new RunTag(SlurmTags.Node, node),
            new RunTag(SlurmTags.Restarts, restarts),
            new RunTag(SlurmTags.Gpus, Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES") ?? ""),
        ]);

        // The element's stdout goes to its log: the sweep follows the trial through its event file instead.
        using var events = new TrialEventFile.Writer(RunFolders.Events(job.RunDirectory));
        events.Write(new TrialEvent(TrialEventKind.Placed, 0, 0, 0, 0, Message: node, Restart: int.TryParse(restarts, out var restart) ? restart : 0));
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stop, timeLimit);
        var report = await TrialWorker.RunAsync(job, events.Write, options, either.Token);
        if (report.Status != TrialStatus.Killed || !timeLimit.IsCancellationRequested || stop.IsCancellationRequested)
        {
            return report.ExitCode;
        }

        var earlier = int.TryParse(store.GetTags(runId).GetValueOrDefault(SlurmTags.TimeLimitRequeues), out var count) ? count : 0;
        var decision = TimeLimitRequeues.Decide(earlier, maxTimeLimitRequeues, time);
        if (decision.Requeue)
        {
            store.SetTags(runId, [new RunTag(SlurmTags.TimeLimitRequeues, decision.Count.ToString())]);
            // Not an end: the requeued element trains on from the checkpoint and reports then.
            File.Delete(outcome);
            return JobScript.RequeueExitCode;
        }
        var failed = report with { Status = TrialStatus.Failed, Reason = decision.FailureReason };
        failed.Write(outcome);
        return failed.ExitCode;
    }
}
