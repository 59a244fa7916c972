using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Exp.Runner.Catalog;
using Exp.Runner.Trials;
using Exp.Spec;
using Exp.Tracking;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking.Recording;
using Exp.Tracking.Sweep;

namespace Exp.Runner.Sweeps;

/// <summary>
/// Runs a plan's trials as child runs of one sweep run, each in its own process, a slot's
/// worth at a time. Re-running the same plan skips finished trials and resumes the others
/// from their checkpoints in their own runs; trials are claimed with locks that die with
/// their holder, so two `exp run` of one sweep never run a trial twice.
/// </summary>
public sealed class SweepRunner(Plan plan, SweepOptions options, ISweepObserver observer)
{
    /// <param name="stop">Graceful stop: no new trials; running ones checkpoint and end KILLED.</param>
    /// <param name="kill">Immediate stop: running trial processes are killed.</param>
    public async Task<SweepSummary> RunAsync(CancellationToken stop, CancellationToken kill)
    {
        var clock = Stopwatch.StartNew();
        var target = TrackingTarget.Parse(plan.Tracking.Uri, plan.Tracking.Local);
        await using var tracker = Tracker.Open(target, options.TrackingLog);
        var store = tracker.Store;
        var catalog = new RunCatalog(store);
        var experiment = tracker.GetOrCreateExperiment(plan.Experiment);
        var locks = Path.Combine(store.RootDirectory, experiment.ExperimentId);
        var (sweepRunId, sweepRecorder) = OpenSweepRun(tracker, catalog, experiment.ExperimentId, locks);

        var results = new ConcurrentDictionary<string, TrialResult>();
        var pending = new ConcurrentQueue<Trial>();
        var finished = catalog.Trials(experiment.ExperimentId)
            .Where(t => t.Run.Status == RunStatus.Finished)
            .GroupBy(t => t.TrialId)
            .ToDictionary(g => g.Key, g => g.First());
        foreach (var trial in plan.Trials)
        {
            if (finished.GetValueOrDefault(trial.Id) is { } done)
            {
                results[trial.Id] = new TrialResult(trial, TrialResultKind.AlreadyFinished, done.Run.RunId, null, done.Metrics, TimeSpan.Zero);
            }
            else
            {
                pending.Enqueue(trial);
            }
        }

        var parallel = options.Parallel ?? plan.Execution.Parallel;
        var slots = Slot.Plan(Math.Min(parallel, Math.Max(1, pending.Count)), options.Cores, options.Gpus, plan.Execution.TrialsPerGpu);
        if (options.Gpus == 0 && parallel > slots.Count && pending.Count > slots.Count)
        {
            observer.Notice($"running {slots.Count} trial(s) at once, not {parallel}: this machine has {options.Cores} core(s) and no GPU");
        }
        observer.SweepStarted(new SweepStart(plan, experiment.ExperimentId, sweepRunId, slots, results.Count));

        var failures = 0;
        bool MayLaunch() => !stop.IsCancellationRequested && (options.MaxFailures is not { } max || Volatile.Read(ref failures) < max);
        await Task.WhenAll(slots.Select(slot => Task.Run(async () =>
        {
            while (MayLaunch() && pending.TryDequeue(out var trial))
            {
                TrialResult result;
                try
                {
                    result = await RunTrialAsync(trial, slot, tracker, catalog, experiment.ExperimentId, sweepRunId, locks, stop, kill);
                }
                catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
                {
                    // A trial's failure stays the trial's: the sweep goes on.
                    options.Log.Error(error, "Trial {Name} could not be run", trial.Name);
                    result = new TrialResult(trial, TrialResultKind.Failed, null, $"{error.GetType().Name}: {error.Message}", new Dictionary<string, double>(), TimeSpan.Zero);
                }
                if (result.Kind == TrialResultKind.Failed)
                {
                    Interlocked.Increment(ref failures);
                }
                results[trial.Id] = result;
                observer.TrialEnded(result);
            }
        }, CancellationToken.None)));

        while (pending.TryDequeue(out var notRun))
        {
            var why = stop.IsCancellationRequested ? "the sweep was stopped" : $"--max-failures {options.MaxFailures} was reached";
            results[notRun.Id] = new TrialResult(notRun, TrialResultKind.NotRun, null, why, new Dictionary<string, double>(), TimeSpan.Zero);
        }
        var ordered = plan.Trials.Select(trial => results[trial.Id]).ToList();
        if (sweepRecorder is not null)
        {
            await sweepRecorder.EndAsync(
                stop.IsCancellationRequested ? RunStatus.Killed : ordered.Any(r => r.IsFailure) ? RunStatus.Failed : RunStatus.Finished,
                CancellationToken.None);
        }
        return new SweepSummary(plan.Experiment, experiment.ExperimentId, sweepRunId, target, ordered, stop.IsCancellationRequested, clock.Elapsed);
    }

    /// <summary>
    /// The sweep's parent run: found by the sweep id, or created. When another `exp run` of
    /// the same sweep is writing it, this one only adds trials under it.
    /// </summary>
    private (string RunId, IRunRecorder? Recorder) OpenSweepRun(Tracker tracker, RunCatalog catalog, string experimentId, string locks)
    {
        using var sweepLock = FileLock.Acquire(Path.Combine(locks, $".sweep-{plan.SweepId}.lock"), TimeSpan.FromSeconds(30));
        if (catalog.FindSweepRun(experimentId, plan.SweepId) is { } existing)
        {
            try
            {
                return (existing.RunId, tracker.ResumeRun(existing.RunId));
            }
            catch (InvalidOperationException)
            {
                observer.Notice("another `exp run` of this sweep is running; this one runs the trials it has not claimed");
                return (existing.RunId, null);
            }
        }
        var recorder = tracker.StartRun(experimentId, new RunStart(Path.GetFileNameWithoutExtension(plan.SpecPath))
        {
            Tags =
            [
                .. SweepRuns.SystemTags(plan.SpecPath, options.WorkingDirectory, Environment.UserName),
                new RunTag(TrialTags.SweepId, plan.SweepId),
                new RunTag(TrialTags.Overrides, string.Join(' ', plan.Overrides)),
                new RunTag(TrialTags.Note, string.IsNullOrEmpty(plan.Description) ? $"{plan.SweepMethod} sweep of {plan.Trials.Length} trials" : plan.Description),
            ],
        });
        recorder.LogParams([new Param("sweep.method", plan.SweepMethod), new Param("sweep.trials", plan.Trials.Length.ToString())]);
        recorder.LogArtifact("spec.yaml", Encoding.UTF8.GetBytes(plan.SpecText));
        return (recorder.Run.RunId, recorder);
    }

    private async Task<TrialResult> RunTrialAsync(
        Trial trial, Slot slot, Tracker tracker, RunCatalog catalog, string experimentId, string sweepRunId, string locks,
        CancellationToken stop, CancellationToken kill)
    {
        using var claim = FileLock.TryAcquire(Path.Combine(locks, $".trial-{trial.Id}.lock"));
        var existing = catalog.FindTrial(experimentId, trial.Id);
        if (claim is null)
        {
            return new TrialResult(trial, TrialResultKind.RunningElsewhere, existing?.Run.RunId, "another `exp run` is running it", new Dictionary<string, double>(), TimeSpan.Zero);
        }
        if (existing is { Run.Status: RunStatus.Finished })
        {
            return new TrialResult(trial, TrialResultKind.AlreadyFinished, existing.Run.RunId, null, existing.Metrics, TimeSpan.Zero);
        }

        if (existing is not null && !tracker.Store.RepairRunIfIdle(existing.Run.RunId))
        {
            // A trial process of an earlier `exp run` that did not end with it is still writing the run.
            return new TrialResult(trial, TrialResultKind.RunningElsewhere, existing.Run.RunId, "its run is being written by another process", new Dictionary<string, double>(), TimeSpan.Zero);
        }
        var clock = Stopwatch.StartNew();
        var runId = existing?.Run.RunId ?? TrialRuns.Create(tracker.Store, plan, trial, experimentId, sweepRunId, options.WorkingDirectory);
        var spec = RunFolders.SpecSnapshot(tracker.Store, runId);
        File.WriteAllText(spec, plan.SpecText);
        observer.TrialStarted(trial, runId, slot);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(kill);
        if (plan.Execution.TrialTimeoutMinutes is { } minutes)
        {
            timeout.CancelAfter(TimeSpan.FromMinutes(minutes));
        }
        var exit = await TrialProcess.RunAsync(
            options.Exp,
            TrialArguments(trial, runId, slot, spec),
            GpuEnvironment(trial, slot),
            progress => observer.TrialProgress(trial, progress),
            options.Log.ForContext("Trial", trial.Name),
            stop,
            timeout.Token);

        var timedOut = timeout.IsCancellationRequested && !kill.IsCancellationRequested;
        var status = tracker.Store.GetRun(runId).Status;
        if (status is RunStatus.Running or RunStatus.Failed)
        {
            var crash = timedOut
                ? $"did not finish within execution.trial_timeout_minutes ({plan.Execution.TrialTimeoutMinutes} min), so it was killed; it resumes from its last checkpoint on the next run"
                : stop.IsCancellationRequested ? "stopped by the user; resumes from its last checkpoint" : exit.Describe();
            await RecordEndAsync(tracker, runId, exit, crash, killed: stop.IsCancellationRequested && !timedOut);
        }
        var record = catalog.FindTrial(experimentId, trial.Id);
        var kind = record?.Run.Status switch
        {
            RunStatus.Finished => TrialResultKind.Finished,
            RunStatus.Killed => TrialResultKind.Killed,
            _ => TrialResultKind.Failed,
        };
        return new TrialResult(trial, kind, runId, record?.Failure, record?.Metrics ?? new Dictionary<string, double>(), clock.Elapsed);
    }

    /// <param name="spec">The spec as this sweep read it: an edit of the file mid-sweep does not change the trials to come.</param>
    private IEnumerable<string> TrialArguments(Trial trial, string runId, Slot slot, string spec)
    {
        yield return "trial";
        yield return spec;
        foreach (var item in plan.Overrides)
        {
            yield return item;
        }
        yield return "--trial-id";
        yield return trial.Id;
        yield return "--run-id";
        yield return runId;
        yield return "--threads";
        yield return slot.Threads.ToString();
        yield return "--exit-with-parent";
        if (PlacedOnGpu(trial, slot))
        {
            yield return "--device";
            yield return "cuda";
        }
    }

    /// <summary>A trial that asks for the CPU stays there, whatever its slot.</summary>
    private static bool PlacedOnGpu(Trial trial, Slot slot) => slot.Gpu is not null && trial.Config.Train.Device != "cpu";

    /// <summary>
    /// The trial sees only its slot's GPU. Slots count the GPUs this process sees, so under
    /// CUDA_VISIBLE_DEVICES=2,3 slot GPU 0 is device 2.
    /// </summary>
    private static Dictionary<string, string> GpuEnvironment(Trial trial, Slot slot)
    {
        if (!PlacedOnGpu(trial, slot))
        {
            return [];
        }
        var visible = Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var device = visible is { Length: > 0 } && slot.Gpu < visible.Length ? visible[slot.Gpu!.Value] : slot.Gpu!.Value.ToString();
        return new Dictionary<string, string> { ["CUDA_VISIBLE_DEVICES"] = device };
    }

    /// <summary>
    /// Puts the reason and the tail of its log into a failed run's note, where the MLflow UI
    /// shows it; a process that died without ending its run (a native crash, a kill) is
    /// ended here, FAILED, with its exit and the last lines of its stderr.
    /// </summary>
    /// <param name="crash">Why it ended, when the process could not say so itself.</param>
    /// <param name="killed">Whether a process that died was stopped by the user (KILLED, not FAILED).</param>
    private static async Task RecordEndAsync(Tracker tracker, string runId, TrialProcessExit exit, string crash, bool killed)
    {
        var crashed = tracker.Store.GetRun(runId).Status == RunStatus.Running;
        var reason = crashed ? crash : tracker.Store.GetTags(runId).GetValueOrDefault(TrialTags.Failure) ?? crash;
        var note = new StringBuilder(reason);
        AppendTail(note, "Last lines of its log", TailOf(RunFolders.Log(tracker.Store, runId)));
        if (crashed)
        {
            AppendTail(note, "Last lines of its stderr", exit.ErrorTail);
        }

        await using var recorder = tracker.ResumeRun(runId);
        // MLflow caps tag values; the end is where a failure says what happened.
        var text = note.ToString();
        var room = TrackingKeys.MaxTagValueLength - 3;
        recorder.SetTags([new RunTag(TrialTags.Failure, Shorten(reason, room)), new RunTag(TrialTags.Note, Shorten(text, room))]);
        if (crashed && exit.ErrorTail.Count > 0)
        {
            recorder.LogArtifact("logs/stderr-tail.txt", Encoding.UTF8.GetBytes(string.Join('\n', exit.ErrorTail) + "\n"));
        }
        await recorder.EndAsync(crashed && killed ? RunStatus.Killed : RunStatus.Failed, CancellationToken.None);
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
