using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Exp.Runner.Catalog;
using Exp.Runner.Hosting;
using Exp.Runner.Launching;
using Exp.Runner.Search;
using Exp.Runner.Trials;
using Exp.Tracking.LocalStore;
using Exp.Spec;
using Exp.Tracking;
using Exp.Tracking.Model;
using Exp.Tracking.Recording;

namespace Exp.Runner.Sweeps;

/// <summary>
/// Runs a plan's trials as child runs of one sweep run, a slot's worth at a time, each
/// through the launcher it is given. Re-running the same plan skips finished trials and
/// resumes the others from their checkpoints in their own runs; trials are claimed with
/// locks that die with their holder, so two `exp run` of one sweep never run a trial twice.
/// A trial's failure stays the trial's: the sweep goes on. An adaptive sweep (TPE, ASHA) runs
/// its trials in segments as <see cref="AdaptiveSweep"/> decides, through the same launcher.
/// </summary>
public sealed class SweepRunner(Plan plan, ITrialLauncher launcher, SweepOptions options, ISweepObserver observer)
{
    /// <param name="stop">Graceful stop: no new trials; running ones checkpoint and end KILLED.</param>
    /// <param name="kill">Immediate stop: running trials are cancelled.</param>
    public async Task<SweepSummary> RunAsync(CancellationToken stop, CancellationToken kill)
    {
        var clock = Stopwatch.StartNew();
        var location = RunsLocation.For(plan);
        await using var tracker = Tracker.Open(location.Target, new SerilogTrackingLog(options.Log));
        var catalog = new RunCatalog(tracker.Store);
        var experimentId = TrainingExperiment.Open(tracker, plan.Experiment).ExperimentId;
        var locks = Path.Combine(tracker.Store.RootDirectory, experimentId);
        var (sweepRunId, sweepRecorder) = SweepParentRun.Open(plan, tracker, catalog, experimentId, locks, options.WorkingDirectory, observer.Notice);
        var lifecycle = NewLifecycle(tracker, experimentId, sweepRunId, location.Target.ServerUri);

        var adaptive = plan.Search is not null || plan.Scheduler.Kind != SchedulerKind.None;
        var ordered = adaptive
            ? await RunAdaptiveAsync(tracker, catalog, experimentId, sweepRunId, lifecycle, stop, kill)
            : await RunPlannedAsync(lifecycle, experimentId, sweepRunId, stop, kill);
        // Detached, its trials run on without this process: the next `exp run` ends the sweep's run and reports it.
        var detached = options.Detach && !adaptive;
        var reportPath = await EndSweepRunAsync(tracker.Store, sweepRunId, sweepRecorder, ordered, detached, stop);
        foreach (var damage in catalog.Damage)
        {
            options.Log.Warning("{Damage}", damage);
        }
        // Every trial process waited for its own run to arrive; what each run's forwarding state says is the account.
        var delivery = ServerDelivery.From(tracker.Delivery([sweepRunId, .. ordered.Select(result => result.RunId).OfType<string>()]));
        return new SweepSummary(plan.Experiment, experimentId, sweepRunId, location, ordered, stop.IsCancellationRequested, clock.Elapsed, delivery)
        {
            Objective = plan.Objective,
            ReportPath = reportPath,
        };
    }

    /// <summary>The owner of this sweep's trial runs, children of its run.</summary>
    private TrialLifecycle NewLifecycle(Tracker tracker, string experimentId, string sweepRunId, Uri? serverUri) => new(tracker, new TrialLifecycleOptions
    {
        Experiment = plan.Experiment,
        ExperimentId = experimentId,
        ParentRunId = sweepRunId,
        ServerUri = serverUri,
        SourceName = plan.SpecPath,
        WorkingDirectory = options.WorkingDirectory,
        TimeoutMinutes = plan.Execution.TrialTimeoutMinutes is { } minutes ? minutes : null,
        Objective = plan.Objective,
    });

    /// <summary>
    /// Reports the sweep and ends its run with its summary, unless it detached (its run stays open
    /// for the `exp run` that follows its trials to the end). Returns the report's path, if written.
    /// </summary>
    private async Task<string?> EndSweepRunAsync(
        FileStore store, string sweepRunId, IRunRecorder? sweepRecorder, IReadOnlyList<TrialResult> ordered, bool detached, CancellationToken stop)
    {
        var status = stop.IsCancellationRequested ? RunStatus.Killed : ordered.Any(r => r.IsFailure) ? RunStatus.Failed : RunStatus.Finished;
        var reportPath = options.Report is { } report && !detached
            ? await WriteReportAsync(report, store, sweepRunId, sweepRecorder, status)
            : null;
        if (sweepRecorder is null)
        {
            return reportPath;
        }
        if (detached)
        {
            await sweepRecorder.CloseAsync(CancellationToken.None);
            return reportPath;
        }
        try
        {
            SweepParentRun.Summarize(sweepRecorder, ordered, plan.Objective);
        }
        finally
        {
            // Ended even when a write before failed (a report that met a full disk): a sweep left RUNNING would claim a process that is gone.
            await sweepRecorder.EndAsync(status, CancellationToken.None);
        }
        return reportPath;
    }

    /// <summary>
    /// Writes the report through the sweep's recorder before the run ends, so its forwarding sends
    /// the page with the rest of the run; without a recorder (another `exp run` owns the sweep's run
    /// and reports it when it ends) only to the local store. Returns the file's path; null when none was written.
    /// </summary>
    private static async Task<string?> WriteReportAsync(SweepReport report, FileStore store, string sweepRunId, IRunRecorder? recorder, RunStatus status)
    {
        if (recorder is not null)
        {
            // The page reads the store: everything the run logged must be there first.
            await recorder.FlushAsync(CancellationToken.None);
        }
        if (report.Render(store.RootDirectory, sweepRunId, status) is not { } page)
        {
            return null;
        }
        if (recorder is null)
        {
            store.WriteArtifact(sweepRunId, report.Artifact, page);
        }
        else
        {
            recorder.LogArtifact(report.Artifact, page);
        }
        return Path.Combine(store.ArtifactDirectory(sweepRunId), report.Artifact);
    }

    /// <summary>The plan's trials, each run to the end, a slot's worth at a time.</summary>
    private async Task<IReadOnlyList<TrialResult>> RunPlannedAsync(
        TrialLifecycle lifecycle, string experimentId, string sweepRunId, CancellationToken stop, CancellationToken kill)
    {
        var results = new ConcurrentDictionary<string, TrialResult>();
        var pending = new ConcurrentQueue<Trial>();
        foreach (var trial in plan.Trials)
        {
            if (lifecycle.Disposition(trial) is { Kind: DispositionKind.Skip, Existing: { } done })
            {
                results[trial.Id] = new TrialResult(trial, TrialResultKind.AlreadyFinished, done.Run.RunId, null, done.Metrics, TimeSpan.Zero);
            }
            else
            {
                pending.Enqueue(trial);
            }
        }
        // A launcher with a queue of its own gets every trial at once and applies `parallel` itself.
        var slots = PlanSlots(launcher.QueuesJobs ? pending.Count : Parallel, pending.Count);
        observer.SweepStarted(new SweepStart(plan, experimentId, sweepRunId, slots, results.Count));

        await Task.WhenAll(slots.Select(slot => Task.Run(async () =>
        {
            while (MayLaunch(stop) && pending.TryDequeue(out var trial))
            {
                results[trial.Id] = await RunAndReportAsync(lifecycle, trial, slot, stop, kill, options.Detach);
            }
        }, CancellationToken.None)));

        while (pending.TryDequeue(out var notRun))
        {
            var why = stop.IsCancellationRequested ? "the sweep was stopped" : NotLaunchedWhy();
            results[notRun.Id] = new TrialResult(notRun, TrialResultKind.NotRun, null, why, new Dictionary<string, double>(), TimeSpan.Zero);
        }
        return plan.Trials.Select(trial => results[trial.Id]).ToList();
    }

    /// <summary>
    /// An adaptive sweep: <see cref="AdaptiveSweep"/> decides from the journal in the sweep's run
    /// (proposals, promotions, rungs reached); each decision is recorded before its segment is
    /// launched, and a promoted trial's segment resumes from its checkpoint in the same run.
    /// One `exp run` drives a sweep's decisions at a time.
    /// </summary>
    private async Task<IReadOnlyList<TrialResult>> RunAdaptiveAsync(
        Tracker tracker, RunCatalog catalog, string experimentId, string sweepRunId, TrialLifecycle lifecycle, CancellationToken stop, CancellationToken kill)
    {
        using var driver = FileLock.TryAcquire(Path.Combine(tracker.Store.RootDirectory, experimentId, $".search-{plan.SweepId}.lock"));
        if (driver is null)
        {
            observer.Notice("another `exp run` is driving this adaptive sweep; run it again when that one has ended");
            return [];
        }
        var records = SearchJournal.Of(tracker.Store, sweepRunId);
        var search = new AdaptiveSweep(plan, records);
        var (before, _) = records.Load();
        // Decisions wait for results, so an adaptive sweep never detaches; a launcher with its own queue still gets `parallel` segments at once.
        if (options.Detach)
        {
            observer.Notice("an adaptive sweep decides as results come in, so it cannot detach: this `exp run` follows it to the end");
        }
        var slots = PlanSlots(Parallel, search.TotalTrials);
        observer.SweepStarted(new SweepStart(plan, experimentId, sweepRunId, slots, before.Count(t => t.Phase == SearchPhase.Completed), before.Count(t => t.Phase == SearchPhase.Pruned)));

        var segments = new ConcurrentDictionary<string, TrialResult>();
        var outcome = await search.RunAsync(
            slots.Count, (segment, _) => TrainSegmentAsync(lifecycle, segment, slots[segment.Slot], segments, stop, kill), () => MayLaunch(stop), observer.SearchDecided, stop);
        var results = new List<TrialResult>();
        foreach (var trial in outcome.Trials)
        {
            if (trial.Phase == SearchPhase.Pruned)
            {
                // Idempotent: a pruning journaled just before a crash ends its run now.
                await lifecycle.PruneAsync(trial.TrialId, PruneReason(trial, outcome.Trials));
            }
            results.Add(ResultOf(trial, search.ConfigOf(trial), catalog.FindTrial(experimentId, trial.TrialId), segments.GetValueOrDefault(trial.TrialId), outcome.Trials, stop));
        }
        if (!outcome.Finished && results.Count < search.TotalTrials && !stop.IsCancellationRequested)
        {
            observer.Notice($"{search.TotalTrials - results.Count} trial(s) not proposed: {NotLaunchedWhy()}");
        }
        return results;
    }

    /// <summary>
    /// Trains one segment of an adaptive sweep's trial and says what it reached, tagging its run
    /// with its rung for the MLflow UI (the journal is what is replayed).
    /// </summary>
    /// <param name="segments">Each trial's last segment, its duration the sum of its segments so far.</param>
    private async Task<SegmentEnd> TrainSegmentAsync(
        TrialLifecycle lifecycle, Segment segment, Slot slot, ConcurrentDictionary<string, TrialResult> segments, CancellationToken stop, CancellationToken kill)
    {
        var result = await RunAndReportAsync(lifecycle, segment.Trial, slot, stop, kill, detach: false, segment.ToEpochs);
        segments[segment.Trial.Id] = result with { Duration = result.Duration + (segments.GetValueOrDefault(segment.Trial.Id)?.Duration ?? TimeSpan.Zero) };
        switch (result.Kind)
        {
            case TrialResultKind.Finished or TrialResultKind.Paused or TrialResultKind.AlreadyFinished:
                if (!result.Metrics.TryGetValue(plan.Objective.Metric, out var value))
                {
                    return new SegmentEnd.Failed($"it logged no {plan.Objective.Metric} (sweep.metric)");
                }
                await lifecycle.TagAsync(segment.Trial.Id, [
                    new RunTag(TrialTags.ProposalNumber, segment.Search.Number.ToString(CultureInfo.InvariantCulture)),
                    new RunTag(TrialTags.RungPrefix + segment.ToEpochs, value.ToString("R", CultureInfo.InvariantCulture)),
                ]);
                return new SegmentEnd.Reached(value);
            case TrialResultKind.Failed:
                return new SegmentEnd.Failed(result.Reason ?? "failed");
            default:
                return new SegmentEnd.Interrupted();
        }
    }

    /// <summary>An adaptive sweep's trial as the summary shows it, from where the search left it and what its last segment said.</summary>
    /// <param name="record">Its run in the store; null when it has none.</param>
    /// <param name="last">Its last segment in this `exp run`; null when it trained none here.</param>
    private TrialResult ResultOf(SearchTrial trial, Trial config, TrialRecord? record, TrialResult? last, IReadOnlyList<SearchTrial> trials, CancellationToken stop)
    {
        var metrics = new Dictionary<string, double>(last?.Metrics ?? record?.Metrics ?? new Dictionary<string, double>());
        if (trial.Last is { } reached)
        {
            // How far it trained, as its run's `epoch` metric says: what the tables show for a pruned or paused trial.
            metrics[Metrics.Epoch] = reached.Epochs;
        }
        var duration = last?.Duration ?? TimeSpan.Zero;
        var runId = record?.Run.RunId;
        return trial.Phase switch
        {
            SearchPhase.Completed => new TrialResult(config, last is null ? TrialResultKind.AlreadyFinished : TrialResultKind.Finished, runId, null, metrics, duration),
            SearchPhase.Pruned => new TrialResult(config, TrialResultKind.Pruned, runId, PruneReason(trial, trials), metrics, duration),
            SearchPhase.Failed => new TrialResult(config, TrialResultKind.Failed, runId, last?.Reason ?? record?.Failure, metrics, duration),
            SearchPhase.Paused => new TrialResult(config, TrialResultKind.Paused, runId, $"paused at {trial.Last?.Epochs} epochs; continues when the sweep runs again", metrics, duration),
            _ => new TrialResult(config, stop.IsCancellationRequested ? TrialResultKind.Killed : TrialResultKind.NotRun, runId,
                stop.IsCancellationRequested ? "stopped by the user; resumes from its last checkpoint" : NotLaunchedWhy(), metrics, duration),
        };
    }

    /// <summary>Trials at once: --parallel, else execution.parallel.</summary>
    private int Parallel => options.Parallel ?? plan.Execution.Parallel;

    /// <summary>
    /// Slots for <paramref name="wanted"/> trials at once out of <paramref name="trials"/>: as many
    /// as asked for a launcher with a queue of its own (the cluster places them), else within this
    /// machine's cores and GPUs, saying so when that is fewer than asked.
    /// </summary>
    private IReadOnlyList<Slot> PlanSlots(int wanted, int trials)
    {
        var count = Math.Max(1, Math.Min(wanted, trials));
        if (launcher.QueuesJobs)
        {
            return Slot.Plan(count, count, gpus: 0, trialsPerGpu: 1);
        }
        var gpus = Gpus();
        var slots = Slot.Plan(count, options.Cores, gpus, plan.Execution.TrialsPerGpu);
        if (gpus == 0 && Parallel > slots.Count && trials > slots.Count)
        {
            observer.Notice($"running {slots.Count} trial(s) at once, not {Parallel}: this machine has {options.Cores} core(s) and no GPU");
        }
        return slots;
    }

    /// <summary>Whether another trial may start: not once the user stopped the sweep, the disk is full or --max-failures trials failed.</summary>
    private bool MayLaunch(CancellationToken stop) =>
        !stop.IsCancellationRequested && !DiskIsFull && (options.MaxFailures is not { } max || Volatile.Read(ref failures) < max);

    /// <summary>
    /// Runs a trial (or a segment of one) and tells the observer how it ended. A trial's failure
    /// stays the trial's, even one in running it: the sweep goes on, counting it against --max-failures.
    /// </summary>
    private async Task<TrialResult> RunAndReportAsync(
        TrialLifecycle lifecycle, Trial trial, Slot slot, CancellationToken stop, CancellationToken kill, bool detach, int? untilEpoch = null)
    {
        TrialResult result;
        try
        {
            result = await RunTrialAsync(lifecycle, trial, slot, stop, kill, detach, untilEpoch);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or InvalidDataException)
        {
            result = new TrialResult(trial, TrialResultKind.Failed, null, CouldNotRun(trial, error), new Dictionary<string, double>(), TimeSpan.Zero);
        }
        if (result.Kind == TrialResultKind.Failed)
        {
            Interlocked.Increment(ref failures);
            NoteDiskFull(result);
        }
        observer.TrialEnded(result);
        return result;
    }

    /// <summary>The GPUs trials are placed on: none when every trial asks for the CPU (a tpe sweep's proposals share its base's device).</summary>
    private int Gpus() =>
        options.Gpus ?? (plan.Trials.Append(plan.Base).All(t => t.Config.Train.Device == "cpu") ? 0 : TrialDevices.CudaDeviceCount());

    /// <summary>Why a trial stopped where it did: how many of the trials at its rung went on (its top 1/eta, or the best alone when that share is none).</summary>
    private string PruneReason(SearchTrial trial, IReadOnlyList<SearchTrial> trials)
    {
        var rung = trial.Last?.Epochs ?? 0;
        var there = trials.Where(t => t.Rungs.ContainsKey(rung)).ToList();
        var wentOn = there.Count(t => t.Epochs > rung);
        return $"stopped at {rung} of {plan.Scheduler.MaxEpochs} epochs: {plan.Objective.Metric} {trial.Last?.Value.ToString("R", CultureInfo.InvariantCulture)} "
            + $"was not among the best {wentOn} of the {there.Count} trials there, which went on";
    }

    /// <summary>Claims the trial, hands it to the launcher as a job, and ends its run from what came back.</summary>
    /// <param name="detach">Submit and return (--detach), leaving the trial to run without this process.</param>
    /// <param name="untilEpoch">Stop after this epoch (a segment of an adaptive sweep); null: train.epochs.</param>
    private async Task<TrialResult> RunTrialAsync(
        TrialLifecycle lifecycle, Trial trial, Slot slot, CancellationToken stop, CancellationToken kill, bool detach, int? untilEpoch = null)
    {
        using var claim = lifecycle.Claim(trial);
        var disposition = claim.Disposition;
        if (disposition.Kind == DispositionKind.Skip)
        {
            return new TrialResult(trial, TrialResultKind.AlreadyFinished, disposition.Existing!.Run.RunId, null, disposition.Existing.Metrics, TimeSpan.Zero);
        }
        // A job that an earlier `exp run` submitted may still be queued (its run idle) or running
        // (its run being written): it is followed again, never submitted twice, and its job file is
        // not rewritten under it. Asked before preparing, so that no element can start in between.
        if (claim.Held && disposition.Existing is { } existing && lifecycle.LastJob(existing) is { } earlier && lifecycle.QueuedJob(existing) is { } queued
            && launcher.TryReattach(earlier, queued, progress => observer.TrialProgress(trial, progress)) is { } followed)
        {
            if (detach)
            {
                followed.Dispose();
                return new TrialResult(trial, TrialResultKind.RunningElsewhere, earlier.Job.RunId, $"its job {followed.Id} from an earlier `exp run` is still queued or running", new Dictionary<string, double>(), TimeSpan.Zero);
            }
            return await WaitAndEndAsync(lifecycle, trial, earlier, followed, slot, stop, kill);
        }
        if (disposition.Kind == DispositionKind.RunningElsewhere)
        {
            return new TrialResult(trial, TrialResultKind.RunningElsewhere, disposition.Existing?.Run.RunId, disposition.Why, new Dictionary<string, double>(), TimeSpan.Zero);
        }

        var job = lifecycle.Prepare(trial, disposition, TrialPlacement.For(trial, slot, untilEpoch));
        var handle = launcher.Submit(job, progress => observer.TrialProgress(trial, progress));
        if (detach)
        {
            using (handle)
            {
                await HandedOverAsync(lifecycle, job, handle);
            }
            return new TrialResult(trial, TrialResultKind.Submitted, job.Job.RunId, null, new Dictionary<string, double>(), TimeSpan.Zero) { Job = handle.Id };
        }
        return await WaitAndEndAsync(lifecycle, trial, job, handle, slot, stop, kill);
    }

    /// <summary>Waits for a submitted job (stopping or cancelling it when asked) and ends its run from what came back.</summary>
    private async Task<TrialResult> WaitAndEndAsync(
        TrialLifecycle lifecycle, Trial trial, TrialJobFile job, ITrialHandle handle, Slot slot, CancellationToken stop, CancellationToken kill)
    {
        var clock = Stopwatch.StartNew();
        if (launcher.QueuesJobs)
        {
            try
            {
                await HandedOverAsync(lifecycle, job, handle);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // Not submitted: the handle ends with why, and the run is ended from that below.
            }
            slot = slot with { Location = handle.Id?.ToString() };
        }
        observer.TrialStarted(trial, job.Job.RunId, slot);
        using var timeout = new CancellationTokenSource();
        if (plan.Execution.TrialTimeoutMinutes is { } minutes)
        {
            timeout.CancelAfter(TimeSpan.FromMinutes(minutes));
        }
        TrialExit exit;
        using (handle)
        using (stop.Register(handle.RequestStop))
        using (kill.Register(handle.Cancel))
        using (timeout.Token.Register(handle.Cancel))
        {
            exit = await handle.WaitAsync(CancellationToken.None);
        }
        var ending = new TrialEnding(stop.IsCancellationRequested, timeout.IsCancellationRequested && !kill.IsCancellationRequested, clock.Elapsed);
        return await lifecycle.EndAsync(trial, job, exit, ending);
    }

    /// <summary>
    /// Waits until the launcher has the job in hand. A queued job's id is recorded at once, before
    /// a detached sweep exits, so that the next `exp run` follows it rather than submit it again.
    /// </summary>
    private async Task HandedOverAsync(TrialLifecycle lifecycle, TrialJobFile job, ITrialHandle handle)
    {
        await handle.SubmittedAsync(CancellationToken.None);
        if (launcher.QueuesJobs && handle.Id is { } id)
        {
            lifecycle.RecordQueued(job, id);
        }
    }

    private int failures;

    private int _diskFull;

    /// <summary>A trial failed for a full disk: the disk is the machine's, so no further trial starts on it (each would fail the same way and fill what is left).</summary>
    private bool DiskIsFull => Volatile.Read(ref _diskFull) == 1;

    private void NoteDiskFull(TrialResult result)
    {
        if (DiskFull.IsReason(result.Reason))
        {
            Volatile.Write(ref _diskFull, 1);
        }
    }

    private string NotLaunchedWhy() =>
        DiskIsFull ? "not started: the disk is full (see the failure above); run the same command again once there is space" : $"--max-failures {options.MaxFailures} was reached";

    /// <summary>Logs why a trial could not be run or ended and returns it: a full disk in one line (the user's to fix), anything else with its trace.</summary>
    private string CouldNotRun(Trial trial, Exception error)
    {
        if (DiskFull.Is(error))
        {
            var reason = DiskFull.Describe(error, plan.Tracking.Local);
            options.Log.Error("Trial {Name} could not be run: {Reason}", trial.Name, reason);
            return reason;
        }
        options.Log.Error(error, "Trial {Name} could not be run", trial.Name);
        return $"{error.GetType().Name}: {error.Message}";
    }
}
