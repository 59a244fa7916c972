using System.Diagnostics;
using Exp.Runner.Catalog;
using Exp.Runner.Sweeps;
using Exp.Runner.Trials;
using Exp.Spec;
using Exp.Tracking;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking.Recording;

namespace Exp.Runner.Slurm;

/// <param name="Exp">The exp program the elements run; it must be reachable from the compute nodes.</param>
/// <param name="Detach">Submit, say how to come back, and return without waiting.</param>
public sealed record SlurmSweepOptions(ExpExecutable Exp, int? Parallel, bool Detach)
{
    public string WorkingDirectory { get; init; } = Environment.CurrentDirectory;

    public ITrackingLog TrackingLog { get; init; } = SilentTrackingLog.Instance;

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <param name="Summary">The sweep's end; null when detached.</param>
/// <param name="Arrays">The array job ids the sweep's trials run in (submitted now or earlier).</param>
public sealed record SlurmSweepResult(SweepSummary? Summary, IReadOnlyList<string> Arrays, int Submitted);

/// <summary>
/// A sweep on Slurm. The submitting machine creates the parent and the trial runs in the
/// shared store and submits the trials that are not finished and not queued as job arrays;
/// then it follows them from the store (status, epochs) and squeue (pending reasons, nodes),
/// never sacct. The trials run and resume themselves (<see cref="SlurmTrial"/>): this side
/// can detach and come back at any time.
/// </summary>
public sealed class SlurmSweep(Plan plan, SlurmSweepOptions options, ISweepObserver observer, SlurmClient slurm)
{
    private sealed class Tracked(Trial trial, string runId, string element)
    {
        public Trial Trial { get; } = trial;
        public string RunId { get; } = runId;
        public string Element { get; set; } = element;
        public bool Started { get; set; }
        public string Restarts { get; set; } = "0";
        public long LastStep { get; set; } = -1;
        public int LastEpochs { get; set; }
        public Stopwatch Clock { get; } = new();
        public TrialResult? Result { get; set; }
    }

    public async Task<SlurmSweepResult> RunAsync(CancellationToken stop, CancellationToken kill)
    {
        var clock = Stopwatch.StartNew();
        SlurmClient.EnsureInstalled();
        var cluster = await slurm.ConfigAsync(stop);
        var target = TrackingTarget.Parse(plan.Tracking.Uri, plan.Tracking.Local);
        await using var tracker = Tracker.Open(target, options.TrackingLog);
        var store = tracker.Store;
        var catalog = new RunCatalog(store);
        var experiment = tracker.GetOrCreateExperiment(plan.Experiment);
        var locks = Path.Combine(store.RootDirectory, experiment.ExperimentId);
        var (sweepRunId, sweepRecorder) = SweepParentRun.Open(plan, tracker, catalog, experiment.ExperimentId, locks, options.WorkingDirectory, observer.Notice);
        await using var _ = sweepRecorder;

        List<Tracked> tracked;
        List<string> arrays;
        int submitted;
        using (FileLock.Acquire(Path.Combine(locks, $".sweep-{plan.SweepId}.submit.lock"), TimeSpan.FromSeconds(60)))
        {
            // One submitter at a time: a second `exp run` finds the first one's arrays queued.
            (tracked, arrays, submitted) = await SubmitAsync(store, catalog, experiment.ExperimentId, sweepRunId, cluster, stop);
        }

        var parallel = options.Parallel ?? plan.Execution.Parallel;
        var alreadyFinished = tracked.Count(t => t.Result?.Kind == TrialResultKind.AlreadyFinished);
        var slots = Enumerable.Range(0, Math.Max(1, Math.Min(parallel, tracked.Count - alreadyFinished)))
            .Select(i => new Slot(i, plan.Execution.Slurm.CpusPerTask, null)).ToList();
        observer.SweepStarted(new SweepStart(plan, experiment.ExperimentId, sweepRunId, slots, alreadyFinished));
        if (submitted > 0)
        {
            observer.Notice($"submitted {submitted} trial(s) to Slurm as job array(s) {string.Join(", ", arrays)}, {parallel} at a time");
        }
        if (options.Detach)
        {
            return new SlurmSweepResult(null, arrays, submitted);
        }

        var stopped = await WatchAsync(store, tracked, arrays, stop, kill);
        var ordered = tracked.Select(t => t.Result!).ToList();
        if (sweepRecorder is not null)
        {
            await sweepRecorder.EndAsync(
                stopped ? RunStatus.Killed : ordered.Any(r => r.IsFailure) ? RunStatus.Failed : RunStatus.Finished,
                CancellationToken.None);
        }
        return new SlurmSweepResult(
            new SweepSummary(plan.Experiment, experiment.ExperimentId, sweepRunId, target, ordered, stopped, clock.Elapsed), arrays, submitted);
    }

    /// <summary>
    /// Finished trials are skipped; trials whose element is still queued or running are
    /// followed, not submitted again; the rest (missing, FAILED, KILLED, or lost with their
    /// element) get a run (their own again, to resume from its checkpoint) and are submitted.
    /// </summary>
    private async Task<(List<Tracked> Tracked, List<string> Arrays, int Submitted)> SubmitAsync(
        FileStore store, RunCatalog catalog, string experimentId, string sweepRunId, ClusterConfig cluster, CancellationToken cancellation)
    {
        var arrays = (store.GetTags(sweepRunId).GetValueOrDefault(SlurmTags.Arrays) ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
        var live = (await slurm.QueueAsync(arrays, cancellation))
            .Where(entry => !entry.IsFinal)
            .Select(entry => entry.ElementId)
            .ToHashSet();

        var tracked = new List<Tracked>();
        var toSubmit = new List<(Tracked Trial, ElementTrial Element)>();
        foreach (var trial in plan.Trials)
        {
            var record = catalog.FindTrial(experimentId, trial.Id);
            if (record is { Run.Status: RunStatus.Finished })
            {
                tracked.Add(new Tracked(trial, record.Run.RunId, "")
                {
                    Result = new TrialResult(trial, TrialResultKind.AlreadyFinished, record.Run.RunId, null, record.Metrics, TimeSpan.Zero),
                });
                continue;
            }
            var element = record?.Tags.GetValueOrDefault(SlurmTags.Element);
            if (record is not null && element is not null && live.Contains(element))
            {
                tracked.Add(new Tracked(trial, record.Run.RunId, element));
                continue;
            }
            var runId = record?.Run.RunId ?? TrialRuns.Create(store, plan, trial, experimentId, sweepRunId, options.WorkingDirectory);
            var spec = RunFolders.SpecSnapshot(store, runId);
            File.WriteAllText(spec, plan.SpecText);
            // Queued, not started: MLflow's SCHEDULED. The trial marks it RUNNING when it starts.
            store.UpdateRun(runId, RunStatus.Scheduled, null);
            store.SetTags(runId, [new RunTag(SlurmTags.TimeLimitRequeues, "0")]);
            var entry = new Tracked(trial, runId, "");
            tracked.Add(entry);
            toSubmit.Add((entry, new ElementTrial(trial.Id, runId, store.RunDirectory(runId), TrialCommand(trial, runId, spec))));
        }
        if (toSubmit.Count == 0)
        {
            return (tracked, arrays, 0);
        }

        var logs = Path.Combine(store.ArtifactDirectory(sweepRunId), "slurm");
        Directory.CreateDirectory(logs);
        var jobOptions = new SlurmJobOptions(
            $"exp-{Path.GetFileNameWithoutExtension(plan.SpecPath)}", options.Parallel ?? plan.Execution.Parallel, logs, options.WorkingDirectory, plan.Execution.Slurm);
        var chunks = ArrayPlan.Split(toSubmit.Select(t => t.Element).ToList(), plan.Execution.Slurm.TrialsPerElement, cluster.MaxArraySize);
        string? previous = null;
        var byRun = toSubmit.ToDictionary(t => t.Element.RunId, t => t.Trial);
        foreach (var chunk in chunks)
        {
            var script = Path.Combine(logs, $"array-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{chunk.Number}.sh");
            File.WriteAllText(script, JobScript.Render(chunk, jobOptions));
            // Chunks run one after another, so that execution.parallel holds across them.
            var arrayId = await slurm.SubmitAsync(script, previous, cancellation);
            previous = arrayId;
            arrays.Add(arrayId);
            store.SetTags(sweepRunId, [new RunTag(SlurmTags.Arrays, string.Join(',', arrays))]);
            foreach (var element in chunk.Elements)
            {
                foreach (var trial in element.Trials)
                {
                    byRun[trial.RunId].Element = $"{arrayId}_{element.Index}";
                    store.SetTags(trial.RunId, [new RunTag(SlurmTags.Element, byRun[trial.RunId].Element)]);
                }
            }
        }
        return (tracked, arrays, toSubmit.Count);
    }

    private IReadOnlyList<string> TrialCommand(Trial trial, string runId, string spec)
    {
        var slurmConfig = plan.Execution.Slurm;
        List<string> command = [options.Exp.FileName, .. options.Exp.LeadingArguments, "trial", spec, .. plan.Overrides];
        command.AddRange(["--trial-id", trial.Id, "--run-id", runId, "--threads", slurmConfig.CpusPerTask.ToString(), "--slurm"]);
        if (slurmConfig.GpusPerTrial > 0 && trial.Config.Train.Device != "cpu")
        {
            // Slurm gives the element its GPUs through CUDA_VISIBLE_DEVICES.
            command.AddRange(["--device", "cuda"]);
        }
        return command;
    }

    /// <summary>Follows the trials until each has ended; returns whether the user stopped the sweep.</summary>
    private async Task<bool> WatchAsync(FileStore store, List<Tracked> tracked, List<string> arrays, CancellationToken stop, CancellationToken kill)
    {
        var stopAsked = false;
        var killed = false;
        var lastWaiting = "";
        var queueTrouble = false;
        while (tracked.Any(t => t.Result is null))
        {
            if (stop.IsCancellationRequested && !stopAsked)
            {
                stopAsked = true;
                await Quietly(() => slurm.CancelAsync(arrays, pendingOnly: true, CancellationToken.None));
                await Quietly(() => slurm.SignalAsync(arrays, "TERM", CancellationToken.None));
            }
            if (kill.IsCancellationRequested && !killed)
            {
                killed = true;
                await Quietly(() => slurm.CancelAsync(arrays, pendingOnly: false, CancellationToken.None));
            }

            IReadOnlyList<QueueEntry>? queue = null;
            try
            {
                queue = await slurm.QueueAsync(arrays, CancellationToken.None);
                queueTrouble = false;
            }
            catch (SlurmException error) when (!queueTrouble)
            {
                queueTrouble = true;
                observer.Notice($"cannot read the queue ({error.Message}); following the store until it answers");
            }
            catch (SlurmException)
            {
            }
            var byElement = (queue ?? []).GroupBy(e => e.ElementId).ToDictionary(g => g.Key, g => g.First());

            foreach (var trial in tracked.Where(t => t.Result is null))
            {
                Follow(store, trial, byElement, queue is not null, stopAsked);
            }

            var waiting = string.Join(", ", (queue ?? [])
                .Where(e => e.IsPending && tracked.Any(t => t.Result is null && t.Element == e.ElementId))
                .GroupBy(e => e.Reason is "None" or "" ? "the scheduler" : e.Reason)
                .Select(g => $"{g.Count()} waiting for {g.Key}"));
            if (waiting != lastWaiting && waiting != "")
            {
                observer.Notice($"Slurm: {waiting}");
            }
            lastWaiting = waiting;

            if (tracked.Any(t => t.Result is null))
            {
                await Task.Delay(options.PollInterval, CancellationToken.None);
            }
        }
        return stopAsked;
    }

    /// <summary>One look at one trial: its run in the store, and its element in the queue.</summary>
    private void Follow(FileStore store, Tracked trial, Dictionary<string, QueueEntry> queue, bool queueKnown, bool stopAsked)
    {
        var run = store.GetRun(trial.RunId);
        var tags = store.GetTags(trial.RunId);
        trial.Element = tags.GetValueOrDefault(SlurmTags.Element) ?? trial.Element;
        var entry = queue.GetValueOrDefault(trial.Element);
        var elementGone = queueKnown && (entry is null || entry.IsFinal);

        if (run.Status == RunStatus.Running)
        {
            var restarts = tags.GetValueOrDefault(SlurmTags.Restarts) ?? "0";
            if (!trial.Started || restarts != trial.Restarts)
            {
                if (trial.Started)
                {
                    observer.Notice($"{trial.Trial.Name}: requeued by Slurm (restart {restarts}); it resumes from its checkpoint in the same run");
                }
                trial.Started = true;
                trial.Restarts = restarts;
                trial.Clock.Start();
                var node = tags.GetValueOrDefault(SlurmTags.Node) ?? entry?.Node ?? "";
                observer.TrialStarted(trial.Trial, trial.RunId, new Slot(0, plan.Execution.Slurm.CpusPerTask, null) { Location = $"{node} {trial.Element}".Trim() });
            }
            ReportProgress(store, trial);
        }

        switch (run.Status)
        {
            case RunStatus.Finished:
                End(store, trial, TrialResultKind.Finished);
                return;
            case RunStatus.Failed:
                End(store, trial, TrialResultKind.Failed);
                return;
            case RunStatus.Killed when elementGone || stopAsked && entry is not { State: "RUNNING" or "COMPLETING" }:
                End(store, trial, TrialResultKind.Killed);
                return;
        }
        if (!elementGone)
        {
            return;
        }
        // Its element ended without ending its run: read the run once more, since the trial
        // writes its status before it exits and the queue was read first.
        run = store.GetRun(trial.RunId);
        if (run.Status is RunStatus.Running or RunStatus.Scheduled)
        {
            var state = entry?.State ?? "no longer in squeue";
            var reason = stopAsked
                ? "stopped by the user before it finished; resumes from its last checkpoint"
                : !tags.ContainsKey(SlurmTags.Node)
                    ? $"its Slurm element {trial.Element} ended ({state}) without starting the trial. Is the store {store.RootDirectory} on a file system the compute nodes share? See the element's output in the sweep run's artifacts/slurm/"
                    : $"its Slurm element {trial.Element} ended ({state}) while the trial was {run.Status.ToString().ToUpperInvariant()}; see logs/slurm.log in its run";
            store.SetTags(trial.RunId, [new RunTag(TrialTags.Failure, reason), new RunTag(TrialTags.Note, reason)]);
            store.UpdateRun(trial.RunId, stopAsked ? RunStatus.Killed : RunStatus.Failed, store.Now());
            End(store, trial, stopAsked ? TrialResultKind.Killed : TrialResultKind.Failed);
        }
    }

    /// <summary>Epochs and loss from the run's metric files, as the local launcher gets them from the trial's events.</summary>
    private void ReportProgress(FileStore store, Tracked trial)
    {
        var total = trial.Trial.Config.Train.Epochs;
        var epochs = store.GetMetricHistory(trial.RunId, TrackingObserver.EpochMetric);
        if (epochs.Count > trial.LastEpochs)
        {
            trial.LastEpochs = epochs.Count;
            var epoch = (int)epochs[^1].Value;
            var elbo = store.GetMetricHistory(trial.RunId, Exp.Engine.Objective.Metrics.Elbo);
            var metrics = elbo.Count == 0 ? null : new Dictionary<string, double> { [Exp.Engine.Objective.Metrics.Elbo] = elbo[^1].Value };
            observer.TrialProgress(trial.Trial, new TrialEvent(TrialEventKind.Evaluated, epoch, total, epochs[^1].Step, Math.Min(1.0, (double)epoch / total), null, metrics));
        }
        var losses = store.GetMetricHistory(trial.RunId, "train/loss");
        if (losses.Count > 0 && losses[^1].Step != trial.LastStep)
        {
            trial.LastStep = losses[^1].Step;
            var done = epochs.Count == 0 ? 0 : (int)epochs[^1].Value;
            observer.TrialProgress(trial.Trial, new TrialEvent(TrialEventKind.Step, done + 1, total, losses[^1].Step, Math.Min(1.0, (double)done / total), losses[^1].Value));
        }
    }

    private void End(FileStore store, Tracked trial, TrialResultKind kind)
    {
        var record = new RunCatalog(store).FindTrial(store.GetRun(trial.RunId).ExperimentId, trial.Trial.Id);
        trial.Result = new TrialResult(trial.Trial, kind, trial.RunId, record?.Failure, record?.Metrics ?? new Dictionary<string, double>(), trial.Clock.Elapsed);
        observer.TrialEnded(trial.Result);
    }

    private static async Task Quietly(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (SlurmException)
        {
            // Cancelling what already ended; the watch goes on from the store.
        }
    }
}
