using System.Diagnostics;
using Exp.Runner.Catalog;
using Exp.Runner.Hosting;
using Exp.Runner.Launching;
using Exp.Runner.Sweeps;
using Exp.Spec;
using Exp.Tracking;
using Serilog;

namespace Exp.Runner.Trials;

/// <summary>
/// One trial in a new run of its own, outside any sweep (`exp train`): the same lifecycle and
/// job as a sweep's trial, through the launcher it is given (in this process, for `exp train`).
/// </summary>
public static class OneTrialRun
{
    /// <param name="stop">Asks the trial to stop gracefully: it checkpoints and its run ends KILLED.</param>
    public static async Task<TrialResult> RunAsync(
        Plan plan, Trial trial, ITrialLauncher launcher, int? threads, Action<TrialEvent> progress, ILogger log, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        var target = RunsLocation.For(plan).Target;
        await using var tracker = Tracker.Open(target, new SerilogTrackingLog(log));
        var lifecycle = new TrialLifecycle(tracker, new TrialLifecycleOptions
        {
            Experiment = plan.Experiment,
            ExperimentId = TrainingExperiment.Open(tracker, plan.Experiment).ExperimentId,
            Objective = plan.Objective,
            ServerUri = target.ServerUri,
            SourceName = plan.SpecPath,
        });
        var job = lifecycle.Prepare(trial, TrialDisposition.New, new TrialPlacement(threads, null));
        TrialExit exit;
        using (var handle = launcher.Submit(job, progress))
        using (stop.Register(handle.RequestStop))
        {
            exit = await handle.WaitAsync(CancellationToken.None);
        }
        var result = await lifecycle.EndAsync(trial, job, exit, new TrialEnding(stop.IsCancellationRequested, false, clock.Elapsed));
        // Ending the run waited for it to reach the server; what did not is said at the end.
        return result with { Delivery = ServerDelivery.From(tracker.Delivery([job.Job.RunId])) };
    }
}
