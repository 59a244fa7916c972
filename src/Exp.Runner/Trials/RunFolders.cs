using Exp.Tracking.LocalStore;

namespace Exp.Runner.Trials;

/// <summary>Where a trial keeps its files inside its run's folder of the local store.</summary>
public static class RunFolders
{
    /// <summary>The log, an artifact, so that it is seen in MLflow beside the metrics.</summary>
    public const string LogArtifactPath = "logs/trial.log";

    /// <summary>Outside artifacts/: checkpoints are for resuming here, not for uploading.</summary>
    public static string Checkpoints(FileStore store, string runId) => Path.Combine(store.RunDirectory(runId), "checkpoints");

    /// <summary>The spec text the trial runs from, as its sweep read it.</summary>
    public static string SpecSnapshot(FileStore store, string runId) => Path.Combine(store.RunDirectory(runId), "spec.yaml");

    public static string Log(FileStore store, string runId) => Path.Combine(store.ArtifactDirectory(runId), LogArtifactPath);
}
