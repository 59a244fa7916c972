using Exp.Engine.Objective;
using Exp.Tracking;

namespace Exp.Runner.Sweeps;

public sealed record SweepSummary(
    string Experiment,
    string ExperimentId,
    string? SweepRunId,
    TrackingTarget Target,
    IReadOnlyList<TrialResult> Results,
    bool Stopped,
    TimeSpan Elapsed)
{
    /// <summary>Best held-out ELBO first; trials without one last.</summary>
    public IReadOnlyList<TrialResult> Ranked =>
        Results.OrderByDescending(r => r.Metrics.TryGetValue(Metrics.Elbo, out var elbo) ? elbo : double.NegativeInfinity).ToList();

    public bool AllSucceeded => !Results.Any(r => r.IsFailure);
}
