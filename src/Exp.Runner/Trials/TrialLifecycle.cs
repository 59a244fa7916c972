using System.Globalization;
using System.Text;
using System.Text.Json;
using Exp.Engine.Training;
using Exp.Runner.Catalog;
using Exp.Runner.Jobs;
using Exp.Runner.Launching;
using Exp.Runner.Slurm;
using Exp.Runner.Sweeps;
using Exp.Spec;
using Exp.Tracking;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking.Source;

namespace Exp.Runner.Trials;

/// <summary>Why a trial's job ended, as its runner knows it: what a job that died without a report was doing.</summary>
/// <param name="StopRequested">The user asked the sweep to stop (Ctrl-C).</param>
/// <param name="TimedOut">It ran past execution.trial_timeout_minutes and was cancelled.</param>
public sealed record TrialEnding(bool StopRequested, bool TimedOut, TimeSpan Duration);

/// <summary>
/// The one owner of trials' runs in an experiment: it decides what each trial needs (skip,
/// resume, start over), claims it, creates or reopens its run and hands it over as a job
/// file, and ends the run from the trial's report, writing its status and failure notes. The
/// trial itself only records metrics and reports once.
/// </summary>
public sealed class TrialLifecycle
{
    private readonly Tracker tracker;
    private readonly FileStore store;
    private readonly RunCatalog catalog;
    private readonly TrialLifecycleOptions options;

    /// <summary>The folder of the claim locks: the experiment's folder of the store.</summary>
    private readonly string locks;

    /// <summary>Trials' jobs are recorded from several threads; the sweep's list of batches is read, then written.</summary>
    private readonly Lock batchesGate = new();

    public TrialLifecycle(Tracker tracker, TrialLifecycleOptions options)
    {
        this.tracker = tracker;
        this.options = options;
        store = tracker.Store;
        catalog = new RunCatalog(store);
        locks = Path.Combine(store.RootDirectory, options.ExperimentId);
    }

    /// <summary>What running the trial now would do, from the store alone; claims nothing.</summary>
    public TrialDisposition Disposition(Trial trial) => DispositionOf(catalog.FindTrial(options.ExperimentId, trial.Id), store);

    /// <summary>The disposition of a trial whose run (if any) is <paramref name="existing"/>.</summary>
    public static TrialDisposition DispositionOf(TrialRecord? existing, FileStore store) => existing switch
    {
        null => TrialDisposition.New,
        { Run.Status: RunStatus.Finished } => new TrialDisposition(DispositionKind.Skip, existing),
        _ when Checkpoint.TryReadState(RunFolders.Checkpoints(store, existing.Run.RunId)) is { } state =>
            new TrialDisposition(DispositionKind.Resume, existing, state.Epoch),
        _ => new TrialDisposition(DispositionKind.StartOver, existing),
    };

    /// <summary>
    /// What `exp run` would do with each trial of a plan, given the local store as it is
    /// (`exp run --dry-run`); reads only, creates nothing.
    /// </summary>
    public static IReadOnlyList<TrialDisposition> Preview(Plan plan)
    {
        var location = RunsLocation.For(plan);
        var store = Directory.Exists(location.LocalStore) ? new FileStore(location.LocalStore) : null;
        var experiment = store?.GetExperimentByName(plan.Experiment);
        if (store is null || experiment is null)
        {
            return plan.Trials.Select(_ => TrialDisposition.New).ToList();
        }
        var catalog = new RunCatalog(store);
        return plan.Trials.Select(trial => DispositionOf(catalog.FindTrial(experiment.ExperimentId, trial.Id), store)).ToList();
    }

    /// <summary>
    /// Claims a trial for this process: a lock that dies with its holder, so that two `exp run`
    /// of one sweep never run a trial twice. Dispose the claim when the trial's run has ended.
    /// </summary>
    public TrialClaim Claim(Trial trial)
    {
        var claim = FileLock.TryAcquire(Path.Combine(locks, $".trial-{trial.Id}.lock"));
        var disposition = Disposition(trial);
        if (claim is null)
        {
            return new TrialClaim(trial, disposition with { Kind = DispositionKind.RunningElsewhere, Why = "another `exp run` is running it" }, null);
        }
        if (disposition.Existing is { } existing && disposition.Kind != DispositionKind.Skip && !store.RepairRunIfIdle(existing.Run.RunId))
        {
            // A trial process of an earlier `exp run` that did not end with it is still writing the
            // run. The claim stays held: a cluster launcher may still be running that job, to follow.
            return new TrialClaim(trial, disposition with { Kind = DispositionKind.RunningElsewhere, Why = "its run is being written by another process" }, claim);
        }
        return new TrialClaim(trial, disposition, claim);
    }

    /// <summary>
    /// Makes the trial's run ready and writes its job: a new run (with its params and config),
    /// or its run reopened (RUNNING again, an earlier failure note cleared). The returned file
    /// is what a launcher runs.
    /// </summary>
    public TrialJobFile Prepare(Trial trial, TrialDisposition disposition, TrialPlacement placement)
    {
        var runId = disposition.Kind switch
        {
            DispositionKind.New => CreateRun(trial),
            DispositionKind.Resume or DispositionKind.StartOver => Reopen(disposition.Existing!.Run.RunId),
            _ => throw new InvalidOperationException($"trial {trial.Id} is not to run ({disposition.Kind})"),
        };
        var runDirectory = Path.GetFullPath(store.RunDirectory(runId));
        var path = RunFolders.JobFile(runDirectory);
        var job = new TrialJob
        {
            TrialId = trial.Id,
            TrialName = trial.Name,
            Experiment = options.Experiment,
            ExperimentId = options.ExperimentId,
            RunId = runId,
            ParentRunId = options.ParentRunId,
            RunDirectory = runDirectory,
            Tracking = new JobTracking(Path.GetFullPath(store.RootDirectory), options.ServerUri?.ToString()),
            Config = JsonDocument.Parse(trial.ConfigJson).RootElement.Clone(),
            Device = placement.Device,
            Gpu = placement.Gpu,
            Threads = placement.Threads,
            ResumeFromEpoch = disposition.ResumeEpoch,
            Segment = PreviousSegment(path) + 1,
            UntilEpoch = placement.UntilEpoch,
            TimeoutMinutes = options.TimeoutMinutes,
            WrittenAt = DateTimeOffset.UtcNow,
        };
        File.Delete(RunFolders.OutcomeFile(runDirectory));
        File.Delete(RunFolders.Events(runDirectory));
        job.Write(path);
        return new TrialJobFile(path, job) { SweepRunDirectory = SweepRunDirectory };
    }

    /// <summary>The job that was last written into a trial's run; null when there is none this exp can read.</summary>
    public TrialJobFile? LastJob(TrialRecord existing)
    {
        var path = RunFolders.JobFile(Path.GetFullPath(store.RunDirectory(existing.Run.RunId)));
        try
        {
            return File.Exists(path) ? new TrialJobFile(path, TrialJob.Read(path)) { SweepRunDirectory = SweepRunDirectory } : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private string? SweepRunDirectory => options.ParentRunId is { } sweep ? Path.GetFullPath(store.RunDirectory(sweep)) : null;

    /// <summary>
    /// Records where a launcher with a queue of its own put the trial's job: its id on the trial's
    /// run, its batch on the sweep's, for the MLflow UI and for the next `exp run` to follow the
    /// job rather than submit it again (<see cref="QueuedJob"/>). Slurm is that launcher, so the
    /// tags are its.
    /// </summary>
    public void RecordQueued(TrialJobFile job, JobId id)
    {
        store.SetTags(job.Job.RunId, [new RunTag(SlurmTags.Element, id.Value)]);
        if (id.Batch is not { } batch)
        {
            return;
        }
        var sweepRunId = options.ParentRunId ?? job.Job.RunId;
        lock (batchesGate)
        {
            var known = store.GetTags(sweepRunId).GetValueOrDefault(SlurmTags.Arrays) is { Length: > 0 } earlier ? earlier.Split(',') : [];
            if (!known.Contains(batch))
            {
                store.SetTags(sweepRunId, [new RunTag(SlurmTags.Arrays, string.Join(',', known.Append(batch)))]);
            }
        }
    }

    /// <summary>The id of the job a launcher's queue last held for this trial (<see cref="RecordQueued"/>); null when none did.</summary>
    public string? QueuedJob(TrialRecord existing) => store.GetTags(existing.Run.RunId).GetValueOrDefault(SlurmTags.Element);

    /// <summary>
    /// Ends the trial's run after its job ended: from the trial's report when it wrote one,
    /// else as a crash (its exit, the last lines of its log and stderr), and says how it went.
    /// </summary>
    public async Task<TrialResult> EndAsync(Trial trial, TrialJobFile job, TrialExit exit, TrialEnding ending)
    {
        var runId = job.Job.RunId;
        var report = ReadReport(job, out var unreadable);
        var crashed = report is null;
        var reason = report?.Reason ?? unreadable ?? (
            ending.TimedOut ? $"did not finish within execution.trial_timeout_minutes ({options.TimeoutMinutes} min), so it was killed; it resumes from its last checkpoint on the next run"
            : ending.StopRequested ? "stopped by the user; resumes from its last checkpoint"
            : exit.Describe());
        var status = report?.Status ?? (ending.StopRequested && !ending.TimedOut ? TrialStatus.Killed : TrialStatus.Failed);

        await using (var recorder = tracker.ResumeRun(runId))
        {
            try
            {
                RecordEnding(recorder, job, exit, status, reason, crashed);
            }
            catch (IOException) when (status is TrialStatus.Failed)
            {
                // A full disk: the run still ends FAILED below, which raises the write's failure.
            }
            await recorder.EndAsync(status switch
            {
                TrialStatus.Finished => RunStatus.Finished,
                TrialStatus.Killed => RunStatus.Killed,
                // MLflow's word for a run that is to run later: a paused trial continues when launched again.
                TrialStatus.Paused => RunStatus.Scheduled,
                _ => RunStatus.Failed,
            }, CancellationToken.None);
        }

        var kind = status switch
        {
            TrialStatus.Finished => TrialResultKind.Finished,
            TrialStatus.Killed => TrialResultKind.Killed,
            TrialStatus.Paused => TrialResultKind.Paused,
            _ => TrialResultKind.Failed,
        };
        // A trial that died said nothing of its metrics: what it logged before is what there is.
        var metrics = report?.Metrics ?? catalog.LastMetricValues(runId);
        return new TrialResult(trial, kind, runId, status == TrialStatus.Finished ? null : reason, metrics, ending.Duration);
    }

    /// <summary>What the run keeps of how its trial ended: why it failed or stopped (with the tails that say more), and the sweep's objective.</summary>
    /// <param name="crashed">It ended without a report: its stderr's tail is all it said.</param>
    private void RecordEnding(Exp.Tracking.Recording.IRunRecorder recorder, TrialJobFile job, TrialExit exit, TrialStatus status, string reason, bool crashed)
    {
        if (status is TrialStatus.Failed or TrialStatus.Killed)
        {
            var note = new StringBuilder(reason);
            if (status == TrialStatus.Failed || crashed)
            {
                AppendTail(note, "Last lines of its log", TailOf(RunFolders.Log(job.RunDirectory)));
            }
            if (crashed)
            {
                AppendTail(note, "Last lines of its stderr", exit.ErrorTail);
            }
            // MLflow caps tag values; the end is where a failure says what happened.
            var room = TrackingKeys.MaxTagValueLength - 3;
            recorder.SetTags([new RunTag(TrialTags.Failure, Shorten(reason, room)), new RunTag(TrialTags.Note, Shorten(note.ToString(), room))]);
        }
        // After the failure's reason: on a full disk the first small write is the one that still fits.
        ObjectiveMetric.Mirror(store, recorder, options.Objective);
        recorder.SetTags(ObjectiveMetric.Tags(options.Objective));
        if (crashed && exit.ErrorTail.Count > 0)
        {
            recorder.LogArtifact(RunFolders.StderrTailArtifactPath, Encoding.UTF8.GetBytes(string.Join('\n', exit.ErrorTail) + "\n"));
        }
    }

    /// <summary>
    /// Ends a paused trial for good where it stopped (an early-stopping scheduler pruned it):
    /// FINISHED with what it reached, so MLflow lists it beside the others, and tagged with why.
    /// </summary>
    public async Task PruneAsync(string trialId, string why)
    {
        // Done only once its run is FINISHED: a crash between the tag and the status leaves it tagged but RUNNING.
        if (catalog.FindTrial(options.ExperimentId, trialId) is not { } record || record is { Pruning: not null, Run.Status: RunStatus.Finished })
        {
            return;
        }
        await using var recorder = tracker.ResumeRun(record.Run.RunId);
        recorder.SetTags([new RunTag(TrialTags.Pruned, why)]);
        await recorder.EndAsync(RunStatus.Finished, CancellationToken.None);
    }

    /// <summary>Adds tags to a trial's run without touching its status (e.g. its metric at a rung).</summary>
    public async Task TagAsync(string trialId, IReadOnlyList<RunTag> tags)
    {
        if (catalog.FindTrial(options.ExperimentId, trialId) is not { } record)
        {
            return;
        }
        await using var recorder = tracker.RecordInto(record.Run.RunId);
        recorder.SetTags(tags);
        await recorder.CloseAsync();
    }

    private string CreateRun(Trial trial)
    {
        var run = store.CreateRun(options.ExperimentId, new RunStart(trial.Name)
        {
            ParentRunId = options.ParentRunId,
            Tags = [.. SystemTags.For(options.SourceName, options.WorkingDirectory, Environment.UserName), new RunTag(TrialTags.TrialId, trial.Id),
                new RunTag(TrialTags.ConfigGroup, trial.ConfigGroup), new RunTag(TrialTags.Replicate, trial.Replicate.ToString(CultureInfo.InvariantCulture))],
        });
        store.LogParams(run.RunId, trial.Params.Select(p => new Param(p.Key, p.Value)));
        store.WriteArtifact(run.RunId, "config.json", Encoding.UTF8.GetBytes(trial.ConfigJson));
        return run.RunId;
    }

    private string Reopen(string runId)
    {
        using var writer = store.TryLockRunForWriting(runId) ?? throw new InvalidOperationException($"Run {runId} is being written by another process.");
        store.RepairRun(runId);
        store.UpdateRun(runId, RunStatus.Running, null);
        if (store.GetTags(runId).ContainsKey(TrialTags.Failure))
        {
            // Running again: the reason of an earlier failure no longer describes the run.
            store.SetTags(runId, [new RunTag(TrialTags.Failure, ""), new RunTag(TrialTags.Note, "")]);
        }
        return runId;
    }

    /// <summary>The segment of the job this run ran last; -1 when it has none (or one this exp cannot read).</summary>
    private static int PreviousSegment(string jobPath)
    {
        try
        {
            return File.Exists(jobPath) ? TrialJob.Read(jobPath).Segment : -1;
        }
        catch (InvalidDataException)
        {
            return -1;
        }
    }

    private static TrialReport? ReadReport(TrialJobFile job, out string? unreadable)
    {
        unreadable = null;
        try
        {
            return TrialReport.TryRead(RunFolders.OutcomeFile(job.RunDirectory));
        }
        catch (InvalidDataException error)
        {
            unreadable = error.Message;
            return null;
        }
    }

    private static string Shorten(string text, int room) => text.Length > room ? "..." + text[^room..] : text;

    private static IReadOnlyList<string> TailOf(string path) =>
        File.Exists(path) ? File.ReadLines(path).TakeLast(30).ToList() : [];

    private static void AppendTail(StringBuilder note, string title, IReadOnlyList<string> lines)
    {
        if (lines.Count > 0)
        {
            note.Append($"\n\n{title}:\n").AppendJoin('\n', lines);
        }
    }
}

/// <summary>Whose trials a <see cref="TrialLifecycle"/> owns, and what their runs record.</summary>
public sealed record TrialLifecycleOptions
{
    public required string Experiment { get; init; }

    public required string ExperimentId { get; init; }

    /// <summary>The sweep's run, parent of every trial run; null for a trial on its own (`exp train`).</summary>
    public string? ParentRunId { get; init; }

    /// <summary>The server the store forwards to, written into jobs so their processes forward too.</summary>
    public Uri? ServerUri { get; init; }

    /// <summary>mlflow.source.name of the runs: the spec.</summary>
    public required string SourceName { get; init; }

    public string WorkingDirectory { get; init; } = Environment.CurrentDirectory;

    public double? TimeoutMinutes { get; init; }

    /// <summary>What the plan ranks trials by: mirrored into each run as its `objective` metric.</summary>
    public required Objective Objective { get; init; }
}

/// <summary>A trial claimed for this process, with what to do with it; disposing lets it go.</summary>
public sealed class TrialClaim(Trial trial, TrialDisposition disposition, IDisposable? claimLock) : IDisposable
{
    public Trial Trial { get; } = trial;

    public TrialDisposition Disposition { get; } = disposition;

    /// <summary>Whether this process holds the trial (its run may still be written by a job of an earlier sweep).</summary>
    public bool Held => claimLock is not null;

    public void Dispose() => claimLock?.Dispose();
}
