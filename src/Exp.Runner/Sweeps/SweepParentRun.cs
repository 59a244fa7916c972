using System.Text;
using Exp.Runner.Catalog;
using Exp.Runner.Trials;
using Exp.Spec;
using Exp.Tracking;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking.Recording;
using Exp.Tracking.Source;

namespace Exp.Runner.Sweeps;

/// <summary>The sweep's parent run, whatever launches its trials.</summary>
public static class SweepParentRun
{
    /// <summary>
    /// Finds the parent run by the sweep id, or creates it. When another `exp run` of the
    /// same sweep is writing it, this one only adds trials under it (no recorder).
    /// </summary>
    public static (string RunId, IRunRecorder? Recorder) Open(
        Plan plan, Tracker tracker, RunCatalog catalog, string experimentId, string locks, string workingDirectory, Action<string> notice)
    {
        using var sweepLock = FileLock.Acquire(Path.Combine(locks, $".sweep-{plan.SweepId}.lock"), TimeSpan.FromSeconds(30));
        if (catalog.FindSweepRun(experimentId, plan.SweepId) is { } existing)
        {
            try
            {
                return (existing.RunId, tracker.ResumeRun(existing.RunId));
            }
            catch (InvalidOperationException)
            {
                notice("another `exp run` of this sweep is running; this one runs the trials it has not claimed");
                return (existing.RunId, null);
            }
        }
        var recorder = tracker.StartRun(experimentId, new RunStart(Path.GetFileNameWithoutExtension(plan.SpecPath))
        {
            Tags =
            [
                .. SystemTags.For(plan.SpecPath, workingDirectory, Environment.UserName),
                new RunTag(TrialTags.SweepId, plan.SweepId),
                .. OverridesTag(plan),
                new RunTag(TrialTags.Note, string.IsNullOrEmpty(plan.Description) ? $"{plan.SweepMethod} sweep of {plan.Trials.Length} trials" : plan.Description),
                .. ObjectiveMetric.Tags(plan.Objective),
            ],
        });
        recorder.LogParams([new Param("sweep.method", plan.SweepMethod), new Param("sweep.trials", plan.Trials.Length.ToString())]);
        // A password in a tracking.uri of the spec is not written (tags and params are redacted by the store).
        recorder.LogArtifact("spec.yaml", Encoding.UTF8.GetBytes(TrackingTarget.RedactUserInfo(plan.SpecText)));
        return (recorder.Run.RunId, recorder);
    }

    /// <summary>The command-line overrides the sweep ran with; none without any, as MLflow's UI shows an empty tag as a bare key.</summary>
    private static IEnumerable<RunTag> OverridesTag(Plan plan) =>
        plan.Overrides.Length > 0 ? [new RunTag(TrialTags.Overrides, string.Join(' ', plan.Overrides))] : [];

    /// <summary>Metric keys of the sweep's run: how many of its trials ended each way.</summary>
    public const string FinishedCount = "sweep/trials_finished";
    public const string FailedCount = "sweep/trials_failed";
    public const string PrunedCount = "sweep/trials_pruned";

    /// <summary>
    /// Writes the sweep's outcome on its run, so that its row in MLflow's runs table says it:
    /// the best trial's objective under the trials' own `objective` key (the same column), that
    /// trial's run id and name as tags, and how many trials finished, failed and were pruned.
    /// Logged at step 0 each time the sweep ends; MLflow shows the latest.
    /// </summary>
    public static void Summarize(IRunRecorder recorder, IReadOnlyList<TrialResult> results, Objective objective)
    {
        recorder.LogMetrics(new Dictionary<string, double>
        {
            [FinishedCount] = results.Count(r => r.Completed),
            [FailedCount] = results.Count(r => r.Kind == TrialResultKind.Failed),
            [PrunedCount] = results.Count(r => r.Kind == TrialResultKind.Pruned),
        }, 0);
        if (SweepSummary.Best(results, objective) is { } best)
        {
            recorder.LogMetric(ObjectiveMetric.Key, best.Metrics[objective.Metric], 0);
            recorder.SetTags([new RunTag(TrialTags.BestRunId, best.RunId!), new RunTag(TrialTags.BestTrial, best.Trial.Name)]);
        }
    }
}
