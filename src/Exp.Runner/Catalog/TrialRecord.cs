using Exp.Tracking.Model;

namespace Exp.Runner.Catalog;

/// <summary>A trial's run as the local store has it.</summary>
/// <param name="Metrics">The last value of each metric.</param>
public sealed record TrialRecord(
    RunInfo Run,
    string TrialId,
    string? SweepRunId,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyDictionary<string, double> Metrics)
{
    public string Name => Run.RunName;

    public string? Failure => Tags.GetValueOrDefault(Trials.TrialTags.Failure);
}
