using Exp.Tracking.Model;

namespace Exp.Catalog;

/// <summary>A sweep's parent run and its trials' runs.</summary>
public sealed record SweepRecord(ExperimentInfo Experiment, RunInfo Run, string SweepId, IReadOnlyList<TrialRecord> Trials)
{
    public string ExperimentName => Experiment.Name;

    public string RunId => Run.RunId;

    public string RunName => Run.RunName;

    /// <summary>The run's MLflow status in lower case.</summary>
    public string Status => Run.Status.ToString().ToLowerInvariant();

    public DateTimeOffset StartedAt => DateTimeOffset.FromUnixTimeMilliseconds(Run.StartTime);
}
