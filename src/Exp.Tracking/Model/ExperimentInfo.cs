namespace Exp.Tracking.Model;

/// <summary>An experiment as MLflow describes it (ids are strings; times are epoch milliseconds).</summary>
public sealed record ExperimentInfo(
    string ExperimentId,
    string Name,
    string ArtifactLocation,
    string LifecycleStage,
    long CreationTime,
    long LastUpdateTime);
