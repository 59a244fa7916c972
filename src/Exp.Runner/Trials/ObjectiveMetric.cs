using Exp.Spec;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking.Recording;

namespace Exp.Runner.Trials;

/// <summary>
/// The value a sweep ranks trials by, under a key of its own at the top of a run's metrics, so
/// that MLflow's compare view opens on it. That view's parallel-coordinates plot starts on the
/// first metric the compared runs share (ParallelCoordinatesPlotPanel: sharedMetricKeys.slice(0, 1)),
/// in the order the server lists a run's metrics; MLflow's file store lists the files at the top
/// of a run's metrics/ folder before those in its sub-folders (os.walk), and in directory order
/// within a folder. So this is the one metric exp logs without a '/': every other one, the
/// bookkeeping `train/epoch` included, is in a section (eval/, test/, train/, proposal/).
/// A trial's `objective` mirrors its sweep.metric value for value, at the same steps; the
/// sweep's run holds the best trial's. The tags beside it say which metric and goal it is.
/// </summary>
public static class ObjectiveMetric
{
    public const string Key = "objective";

    /// <summary>The tags that say what <see cref="Key"/> holds: exp.objective.metric and exp.objective.goal.</summary>
    public static IReadOnlyList<RunTag> Tags(Objective objective) =>
    [
        new(TrialTags.ObjectiveMetric, objective.Metric),
        new(TrialTags.ObjectiveGoal, objective.Goal.ToString().ToLowerInvariant()),
    ];

    /// <summary>
    /// Logs under <see cref="Key"/> the values of the objective's metric at the steps after the
    /// last one mirrored (a trial resumed from a checkpoint had both cut back to its step).
    /// </summary>
    public static void Mirror(FileStore store, IRunRecorder recorder, Objective objective)
    {
        if (objective.Metric == Key)
        {
            return;
        }
        var runId = recorder.Run.RunId;
        var mirroredUntil = store.GetMetricHistory(runId, Key).Select(value => value.Step).DefaultIfEmpty(long.MinValue).Max();
        foreach (var value in store.GetMetricHistory(runId, objective.Metric).Where(value => value.Step > mirroredUntil))
        {
            recorder.LogMetric(Key, value.Value, value.Step);
        }
    }
}
