using Exp.Spec;
using Exp.Tracking;
using Exp.Tracking.Model;
using Exp.Tracking.Recording;
using Serilog;

namespace Exp.Runner.Trials;

/// <summary>
/// Runs one trial in this process into the local store (and the server it forwards to):
/// into a run that `exp run` created for it, or into a new run of its own (`exp train`).
/// </summary>
public static class TrialHost
{
    /// <param name="runId">The run to train into; null creates a new run with no parent.</param>
    /// <param name="openLog">Makes the trial's logger, given the path of its log file.</param>
    public static async Task<TrialOutcome> RunAsync(
        Plan plan,
        Trial trial,
        string? runId,
        TrialExecutionOptions options,
        Func<string, ILogger> openLog,
        ITrackingLog trackingLog,
        CancellationToken stop)
    {
        var target = TrackingTarget.Parse(plan.Tracking.Uri, plan.Tracking.Local);
        await using var tracker = Tracker.Open(target, trackingLog);
        var store = tracker.Store;
        runId ??= TrialRuns.Create(store, plan, trial, tracker.GetOrCreateExperiment(plan.Experiment).ExperimentId, null, Environment.CurrentDirectory);
        await using var recorder = tracker.ResumeRun(runId);
        if (store.GetTags(runId).ContainsKey(TrialTags.Failure))
        {
            // Running again: the reason of an earlier failure no longer describes the run.
            recorder.SetTags([new RunTag(TrialTags.Failure, ""), new RunTag(TrialTags.Note, "")]);
        }
        var logPath = RunFolders.Log(store, runId);
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = openLog(logPath);
        try
        {
            log.Information("Trial {Name} ({Id}) in run {RunId} of experiment {Experiment}", trial.Name, trial.Id, runId, plan.Experiment);
            return await TrialExecution.RunAsync(trial.Config, store, recorder, options, log, stop);
        }
        finally
        {
            (log as IDisposable)?.Dispose();
        }
    }
}
