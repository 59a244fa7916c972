using Exp.Tracking.Model;

namespace Exp.Catalog;

/// <summary>A trial's run as the local store has it.</summary>
/// <param name="Metrics">The last value of each metric.</param>
/// <param name="PlannedEpochs">The epochs it was to train (its train.epochs param); null when its run does not say.</param>
public sealed record TrialRecord(
    RunInfo Run,
    string TrialId,
    string? SweepRunId,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyDictionary<string, double> Metrics,
    int? PlannedEpochs)
{
    /// <summary>The param that holds the epochs a trial is to train.</summary>
    public const string EpochsParam = "train.epochs";

    public string Name => Run.RunName;

    /// <summary>Its configuration's group (tag exp.configGroup); a run from before replicates is a configuration of its own.</summary>
    public string ConfigGroup => Tags.GetValueOrDefault(TrialTags.ConfigGroup) is { Length: > 0 } group ? group : TrialId;

    public string RunId => Run.RunId;

    public string ExperimentId => Run.ExperimentId;

    /// <summary>The run's MLflow status in lower case: running, finished, failed, killed or scheduled.</summary>
    public string Status => Run.Status.ToString().ToLowerInvariant();

    /// <summary>The status people read: the run's, or "pruned at 3/9" for a trial the scheduler stopped early (its run says FINISHED).</summary>
    public string Shown => Pruning?.Status ?? Status;

    public DateTimeOffset StartedAt => DateTimeOffset.FromUnixTimeMilliseconds(Run.StartTime);

    /// <summary>Why the run failed or stopped; null for a run that did neither (an earlier failure is cleared when it runs again).</summary>
    public string? Failure =>
        Run.Status is RunStatus.Failed or RunStatus.Killed && Tags.GetValueOrDefault(TrialTags.Failure) is { Length: > 0 } reason ? reason : null;

    /// <summary>
    /// Where and why an early-stopping scheduler stopped it for good (its run tagged exp.pruned, at
    /// the epoch its `epoch` metric last says); null for a trial it did not prune.
    /// </summary>
    public TrialPruning? Pruning =>
        Tags.GetValueOrDefault(TrialTags.Pruned) is { Length: > 0 } why
            ? TrialPruning.After(Metrics, PlannedEpochs, why)
            : null;

    /// <summary>Trained to its end: FINISHED and not pruned. Only such a trial's metrics compete for the best of a sweep.</summary>
    public bool Completed => IsCompleted(Run.Status, Pruning);

    /// <summary>The rule of <see cref="Completed"/>, for a trial read into another shape (a report's) with its status and <see cref="Pruning"/>.</summary>
    public static bool IsCompleted(RunStatus status, TrialPruning? pruning) => status == RunStatus.Finished && pruning is null;
}
