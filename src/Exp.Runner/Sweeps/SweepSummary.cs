using Exp.Runner.Catalog;
using Exp.Spec;

namespace Exp.Runner.Sweeps;

public sealed record SweepSummary(
    string Experiment,
    string ExperimentId,
    string? SweepRunId,
    RunsLocation Location,
    IReadOnlyList<TrialResult> Results,
    bool Stopped,
    TimeSpan Elapsed,
    ServerDelivery? Delivery)
{
    /// <summary>What the sweep optimises (sweep.metric and sweep.goal; held-out ELBO, higher is better, by default).</summary>
    public Objective Objective { get; init; } = new(Metrics.Elbo, Goal.Maximize);

    /// <summary>The sweep's report in the local store; null when none was written (none asked for, or trials left running detached).</summary>
    public string? ReportPath { get; init; }

    /// <summary>
    /// Best first by the objective among the trials that trained to their end; then those ASHA
    /// pruned (their metric is from fewer epochs); then the rest (failed, stopped, not run, still
    /// running), whose last values say nothing of where they would have ended. Trials without a
    /// value come last in their group.
    /// </summary>
    public IReadOnlyList<TrialResult> Ranked =>
        Results
            .OrderBy(r => r.Completed ? 0 : r.Kind == TrialResultKind.Pruned ? 1 : 2)
            .ThenBy(r => r.Metrics.TryGetValue(Objective.Metric, out var value) ? Objective.Loss(value) : double.PositiveInfinity)
            .ToList();

    /// <summary>
    /// The trials by configuration (replicates of one config that differ only in their seed), best mean of the
    /// objective first over the replicates that trained to their end; configurations none of whose replicates did come last.
    /// </summary>
    public IReadOnlyList<Configuration<TrialResult>> Configurations =>
        Exp.Catalog.Configurations.RankedByMean(
            Exp.Catalog.Configurations.Group(Ranked, r => r.Trial.ConfigGroup),
            r => r.Metrics.TryGetValue(Objective.Metric, out var value) ? value : null,
            r => r.Completed,
            Objective.Goal);

    public bool AllSucceeded => !Results.Any(r => r.IsFailure);

    /// <summary>The server refused some run: sending again will not help, so the command fails.</summary>
    public bool Refused => Delivery?.AnyRefused == true;

    /// <summary>The trial that trained to its end with the best value of the objective (the first of equals, as in <see cref="Ranked"/>); null when none did.</summary>
    public static TrialResult? Best(IEnumerable<TrialResult> results, Objective objective) =>
        results
            .Where(r => r.Completed && r.RunId is not null && r.Metrics.TryGetValue(objective.Metric, out var value) && !double.IsNaN(value))
            .Aggregate((TrialResult?)null, (best, r) => best is null || objective.IsBetter(r.Metrics[objective.Metric], best.Metrics[objective.Metric]) ? r : best);
}
