using Exp.Tracking.LocalStore;

namespace Exp.Runner.Trials;

/// <summary>Where a trial keeps its files inside its run's folder of the local store (outside artifacts/ unless said).</summary>
public static class RunFolders
{
    /// <summary>The log, an artifact, so that it is seen in MLflow beside the metrics.</summary>
    public const string LogArtifactPath = "logs/trial.log";

    /// <summary>What a Slurm array element printed (the job script appends to it), an artifact beside the trial's log.</summary>
    public const string SlurmLogArtifactPath = "logs/slurm.log";

    /// <summary>The last lines a trial process wrote to stderr before it crashed, an artifact beside its log.</summary>
    public const string StderrTailArtifactPath = "logs/stderr-tail.txt";

    public const string JobFileName = "job.json";

    public const string OutcomeFileName = "outcome.json";

    /// <summary>Checkpoints are for resuming here, not for uploading.</summary>
    public static string Checkpoints(string runDirectory) => Path.Combine(runDirectory, "checkpoints");

    public static string Checkpoints(FileStore store, string runId) => Checkpoints(store.RunDirectory(runId));

    /// <summary>The job the trial runs (<see cref="Jobs.TrialJob"/>).</summary>
    public static string JobFile(string runDirectory) => Path.Combine(runDirectory, JobFileName);

    /// <summary>What the trial reported when it ended (<see cref="Jobs.TrialReport"/>).</summary>
    public static string OutcomeFile(string runDirectory) => Path.Combine(runDirectory, OutcomeFileName);

    public static string Log(string runDirectory) => Artifact(runDirectory, LogArtifactPath);

    /// <summary>What a Slurm element printed while it ran the trial, each start and exit marked: beside the trial's own log.</summary>
    public static string SlurmLog(string runDirectory) => Artifact(runDirectory, SlurmLogArtifactPath);

    /// <summary>
    /// The trial's <see cref="TrialEvent"/>s, one line each, where a launcher that cannot read the
    /// trial's stdout follows its progress; started afresh with each job.
    /// </summary>
    public static string Events(string runDirectory) => Path.Combine(runDirectory, "events.jsonl");

    /// <summary>A sweep's job scripts and its Slurm elements' own output: artifacts of the sweep's run.</summary>
    public static string SlurmFiles(string sweepRunDirectory) => Artifact(sweepRunDirectory, "slurm");

    private static string Artifact(string runDirectory, string artifactPath) =>
        Path.Combine(FileStore.ArtifactDirectoryOf(runDirectory), artifactPath.Replace('/', Path.DirectorySeparatorChar));
}
