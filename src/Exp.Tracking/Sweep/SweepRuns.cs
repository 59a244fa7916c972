using Exp.Tracking.Model;
using Exp.Tracking.Recording;

namespace Exp.Tracking.Sweep;

/// <summary>
/// The MLflow shape of a sweep: one parent run for the sweep and one child run per trial
/// (<c>mlflow.parentRunId</c>), each named (<c>mlflow.runName</c>) and carrying the system
/// tags MLflow's own clients set, so the UI groups the trials under the sweep.
/// </summary>
public static class SweepRuns
{
    public const string TrialIdTag = "exp.trialId";

    /// <summary>mlflow.user, mlflow.source.name, mlflow.source.type (LOCAL) and, in a git checkout, mlflow.source.git.commit.</summary>
    public static IReadOnlyList<RunTag> SystemTags(string sourceName, string workingDirectory, string userName)
    {
        var tags = new List<RunTag>
        {
            new(MlflowTags.User, userName),
            new(MlflowTags.SourceName, sourceName),
            new(MlflowTags.SourceType, "LOCAL"),
        };
        if (GitCommit.TryRead(workingDirectory) is { } commit)
        {
            tags.Add(new RunTag(MlflowTags.GitCommit, commit));
        }
        return tags;
    }

    public static IRunRecorder StartSweep(Tracker tracker, string experimentId, string sweepName, string sourceName, string workingDirectory) =>
        tracker.StartRun(experimentId, new RunStart(sweepName)
        {
            Tags = SystemTags(sourceName, workingDirectory, Environment.UserName),
        });

    public static IRunRecorder StartTrial(
        Tracker tracker, RunInfo sweep, string trialName, string trialId, string sourceName, string workingDirectory) =>
        tracker.StartRun(sweep.ExperimentId, new RunStart(trialName)
        {
            ParentRunId = sweep.RunId,
            Tags = [.. SystemTags(sourceName, workingDirectory, Environment.UserName), new RunTag(TrialIdTag, trialId)],
        });
}
