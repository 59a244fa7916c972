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
                new RunTag(TrialTags.Overrides, string.Join(' ', plan.Overrides)),
                new RunTag(TrialTags.Note, string.IsNullOrEmpty(plan.Description) ? $"{plan.SweepMethod} sweep of {plan.Trials.Length} trials" : plan.Description),
            ],
        });
        recorder.LogParams([new Param("sweep.method", plan.SweepMethod), new Param("sweep.trials", plan.Trials.Length.ToString())]);
        // A password in a tracking.uri of the spec is not written (tags and params are redacted by the store).
        recorder.LogArtifact("spec.yaml", Encoding.UTF8.GetBytes(TrackingTarget.RedactUserInfo(plan.SpecText)));
        return (recorder.Run.RunId, recorder);
    }
}
