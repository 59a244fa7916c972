using Exp.Engine.Objective;
using Exp.Runner.Catalog;

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
    /// <summary>Best held-out ELBO first; trials without one last.</summary>
    public IReadOnlyList<TrialResult> Ranked =>
        Results.OrderByDescending(r => r.Metrics.TryGetValue(Metrics.Elbo, out var elbo) ? elbo : double.NegativeInfinity).ToList();

    public bool AllSucceeded => !Results.Any(r => r.IsFailure);

    /// <summary>The server refused some run: sending again will not help, so the command fails.</summary>
    public bool Refused => Delivery?.AnyRefused == true;
}
