using System.Text.Json;
using Exp.Spec;

namespace Exp.Runner.Jobs;

/// <summary>Where a trial's run is tracked: its local store, and the MLflow server it forwards to, if any.</summary>
/// <param name="LocalStore">The local store's folder, absolute.</param>
/// <param name="ServerUri">The server; credentials never travel in a job (MLFLOW_TRACKING_* variables do).</param>
public sealed record JobTracking(string LocalStore, string? ServerUri);

/// <summary>
/// One trial handed over to run: the resolved config, the run it records into, where and
/// how it runs, and what it resumes from. Written to <c>job.json</c> in the trial's run
/// before it is launched; the trial process reads it and nothing else, so the same file is
/// what any launcher (a local process, this process, a cluster) ships.
/// </summary>
public sealed record TrialJob
{
    public const int CurrentSchema = 1;

    public int Schema { get; init; } = CurrentSchema;

    /// <summary>The trial's stable id; <see cref="Config"/> must hash to it.</summary>
    public required string TrialId { get; init; }

    public required string TrialName { get; init; }

    public required string Experiment { get; init; }

    public required string ExperimentId { get; init; }

    public required string RunId { get; init; }

    /// <summary>The sweep's run; null for a trial outside a sweep (`exp train`).</summary>
    public string? ParentRunId { get; init; }

    /// <summary>The run's folder, absolute; a launcher may keep its own files there.</summary>
    public required string RunDirectory { get; init; }

    public required JobTracking Tracking { get; init; }

    /// <summary>The resolved config, in the spec's own keys (what <see cref="Trial.ConfigJson"/> gives).</summary>
    public required JsonElement Config { get; init; }

    /// <summary>Overrides train.device (cuda for a trial placed on a GPU); null keeps the config's.</summary>
    public string? Device { get; init; }

    /// <summary>
    /// The slot's GPU, counted among the GPUs the launching process sees: a local launcher
    /// pins it with CUDA_VISIBLE_DEVICES; a cluster launcher asks its scheduler for a GPU instead.
    /// </summary>
    public int? Gpu { get; init; }

    /// <summary>Torch threads; null leaves torch's default (all cores).</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// The epoch of the checkpoint the trial stood at when the job was written; 0 for a fresh
    /// start. The trial always resumes from the newest checkpoint in its run, so a job
    /// requeued after more progress finds its own.
    /// </summary>
    public int ResumeFromEpoch { get; init; }

    /// <summary>How many times this trial was launched into its run before (resumes, promotions).</summary>
    public int Segment { get; init; }

    /// <summary>Stop after this epoch (an early-stopping rung's budget); null trains to train.epochs.</summary>
    public int? UntilEpoch { get; init; }

    /// <summary>execution.trial_timeout_minutes: the runner ends the trial after this; a cluster launcher may also ask for it as a time limit.</summary>
    public double? TimeoutMinutes { get; init; }

    public DateTimeOffset WrittenAt { get; init; }

    public void Write(string path) => JobJson.Write(path, this);

    public static TrialJob Read(string path)
    {
        var job = JobJson.Read<TrialJob>(path, "trial job file");
        if (job.Schema != CurrentSchema)
        {
            throw new InvalidDataException($"{path} is a job file of schema {job.Schema}; this exp reads schema {CurrentSchema}. Run it with the exp that wrote it.");
        }
        return job;
    }

    /// <summary>
    /// The trial's config, validated by Spec as a spec's trial keys are, and checked against
    /// the trial's id; throws <see cref="InvalidDataException"/> saying what is wrong.
    /// </summary>
    /// <param name="source">Names the file in errors.</param>
    public TrialConfig ReadConfig(string source)
    {
        var result = Specs.ReadTrialConfig(Config.GetRawText(), $"{source} (config)");
        if (!result.Succeeded)
        {
            throw new InvalidDataException($"{source} holds an invalid trial config:\n" + string.Join('\n', result.Errors.Select(e => e.ToString())));
        }
        var id = Specs.TrialId(result.Config);
        if (id != TrialId)
        {
            throw new InvalidDataException($"{source}: the config is that of trial {id}, not {TrialId}; a job file is written by exp run, not edited");
        }
        return result.Config;
    }
}
