using Exp.Spec;
using Exp.Runner.Catalog;

namespace Exp.Runner.Sweeps;

public enum TrialResultKind
{
    Finished,
    /// <summary>Finished by an earlier `exp run`; not run again.</summary>
    AlreadyFinished,
    Failed,
    /// <summary>Stopped by the user; resumes on the next run.</summary>
    Killed,
    /// <summary>Stopped at its budget (an early-stopping rung); continues when launched again.</summary>
    Paused,
    /// <summary>Stopped early for good by the sweep's scheduler, at a rung below max_epochs; its run is FINISHED with what it reached.</summary>
    Pruned,
    /// <summary>Being run by another `exp run` of the same sweep.</summary>
    RunningElsewhere,
    /// <summary>Not started: the sweep stopped first (Ctrl-C, --max-failures).</summary>
    NotRun,
    /// <summary>Handed to a cluster's queue by a sweep that did not wait for it (--detach).</summary>
    Submitted,
}

/// <param name="Metrics">The last value of each metric of its run.</param>
public sealed record TrialResult(
    Trial Trial,
    TrialResultKind Kind,
    string? RunId,
    string? Reason,
    IReadOnlyDictionary<string, double> Metrics,
    TimeSpan Duration)
{
    /// <summary>
    /// What of a trial trained on its own (`exp train`) reached the tracking server; null
    /// without a server, and in a sweep, whose summary accounts for all its runs at once.
    /// </summary>
    public ServerDelivery? Delivery { get; init; }

    /// <summary>The job that runs it without this process (a <see cref="TrialResultKind.Submitted"/> trial); null otherwise.</summary>
    public Launching.JobId? Job { get; init; }

    public bool Succeeded => Kind is TrialResultKind.Finished or TrialResultKind.AlreadyFinished or TrialResultKind.Pruned;

    /// <summary>Trained to its end, now or by an earlier `exp run`; a pruned trial succeeded but did not.</summary>
    public bool Completed => Kind is TrialResultKind.Finished or TrialResultKind.AlreadyFinished;

    /// <summary>Where and why the sweep's scheduler stopped it for good (its `epoch` metric, of train.epochs); null for a trial it did not prune.</summary>
    public TrialPruning? Pruning =>
        Kind == TrialResultKind.Pruned
            ? TrialPruning.After(Metrics, Trial.Config.Train.Epochs, Reason ?? "")
            : null;

    /// <summary>Failed, stopped or not run: the sweep did not complete it. A trial another `exp run` is running is not a failure of this one.</summary>
    public bool IsFailure => Kind is TrialResultKind.Failed or TrialResultKind.Killed or TrialResultKind.NotRun;
}
