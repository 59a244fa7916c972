using Exp.Tracking.Model;

namespace Exp.Runner.Catalog;

/// <summary>A sweep's parent run and its trials' runs.</summary>
public sealed record SweepRecord(ExperimentInfo Experiment, RunInfo Run, string SweepId, IReadOnlyList<TrialRecord> Trials);
