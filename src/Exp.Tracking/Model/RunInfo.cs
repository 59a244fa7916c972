namespace Exp.Tracking.Model;

/// <summary>A run's metadata as MLflow describes it (the RunInfo entity).</summary>
public sealed record RunInfo(
    string RunId,
    string ExperimentId,
    string RunName,
    string UserId,
    RunStatus Status,
    long StartTime,
    long? EndTime,
    string ArtifactUri,
    string LifecycleStage);
