using System.Collections.Concurrent;
using System.Diagnostics;
using Exp.Runner.Catalog;
using Exp.Runner.Hosting;
using Exp.Runner.Launching;
using Exp.Runner.Trials;
using Exp.Spec;
using Exp.Tracking;
using Exp.Tracking.Model;

namespace Exp.Runner.Sweeps;

/// <summary>
/// Runs a plan's trials as child runs of one sweep run, a slot's worth at a time, each
/// through the launcher it is given. Re-running the same plan skips finished trials and
/// resumes the others from their checkpoints in their own runs; trials are claimed with
/// locks that die with their holder, so two `exp run` of one sweep never run a trial twice.
/// A trial's failure stays the trial's: the sweep goes on.
/// </summary>
public sealed class SweepRunner(Plan plan, ITrialLauncher launcher, SweepOptions options, ISweepObserver observer)
{
    /// <param name="stop">Graceful stop: no new trials; running ones checkpoint and end KILLED.</param>
    /// <param name="kill">Immediate stop: running trials are cancelled.</param>
    public async Task<SweepSummary> RunAsync(CancellationToken stop, CancellationToken kill)
    {
        var clock = Stopwatch.StartNew();
        var location = RunsLocation.For(plan);
        var target = location.Target;
        await using var tracker = Tracker.Open(target, new SerilogTrackingLog(options.Log));
        var catalog = new RunCatalog(tracker.Store);
        var experiment = tracker.GetOrCreateExperiment(plan.Experiment);
        var locks = Path.Combine(tracker.Store.RootDirectory, experiment.ExperimentId);
        var (sweepRunId, sweepRecorder) = SweepParentRun.Open(plan, tracker, catalog, experiment.ExperimentId, locks, options.WorkingDirectory, observer.Notice);
        var lifecycle = new TrialLifecycle(tracker, new TrialLifecycleOptions
        {
            Experiment = plan.Experiment,
            ExperimentId = experiment.ExperimentId,
            ParentRunId = sweepRunId,
            ServerUri = target.ServerUri,
            SourceName = plan.SpecPath,
            WorkingDirectory = options.WorkingDirectory,
            TimeoutMinutes = plan.Execution.TrialTimeoutMinutes is { } minutes ? minutes : null,
        });

        var results = new ConcurrentDictionary<string, TrialResult>();
        var pending = new ConcurrentQueue<Trial>();
        foreach (var trial in plan.Trials)
        {
            var disposition = lifecycle.Disposition(trial);
            if (disposition is { Kind: DispositionKind.Skip, Existing: { } done })
            {
                results[trial.Id] = new TrialResult(trial, TrialResultKind.AlreadyFinished, done.Run.RunId, null, done.Metrics, TimeSpan.Zero);
            }
            else
            {
                pending.Enqueue(trial);
            }
        }

        var parallel = options.Parallel ?? plan.Execution.Parallel;
        // A sweep whose every trial asks for the CPU stays off the GPUs.
        var gpus = options.Gpus ?? (plan.Trials.All(t => t.Config.Train.Device == "cpu") ? 0 : TrialDevices.CudaDeviceCount());
        // A launcher with a queue of its own gets every trial at once and applies `parallel` itself.
        var slots = launcher.QueuesJobs
            ? Slot.Plan(Math.Max(1, pending.Count), Math.Max(1, pending.Count), gpus: 0, trialsPerGpu: 1)
            : Slot.Plan(Math.Min(parallel, Math.Max(1, pending.Count)), options.Cores, gpus, plan.Execution.TrialsPerGpu);
        if (!launcher.QueuesJobs && gpus == 0 && parallel > slots.Count && pending.Count > slots.Count)
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
                    result = await RunTrialAsync(lifecycle, trial, slot, stop, kill);
                }
                catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or InvalidDataException)
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
        if (sweepRecorder is not null && options.Detach)
        {
            // Its trials run on without this process: the next `exp run` ends the sweep's run.
            await sweepRecorder.CloseAsync(CancellationToken.None);
        }
        else if (sweepRecorder is not null)
        {
            await sweepRecorder.EndAsync(
                stop.IsCancellationRequested ? RunStatus.Killed : ordered.Any(r => r.IsFailure) ? RunStatus.Failed : RunStatus.Finished,
                CancellationToken.None);
        }
        foreach (var damage in catalog.Damage)
        {
            options.Log.Warning("{Damage}", damage);
        }
        // Every trial process waited for its own run to arrive; what each run's forwarding state says is the account.
        var delivery = ServerDelivery.From(tracker.Delivery([sweepRunId, .. ordered.Select(result => result.RunId).OfType<string>()]));
        return new SweepSummary(plan.Experiment, experiment.ExperimentId, sweepRunId, location, ordered, stop.IsCancellationRequested, clock.Elapsed, delivery);
    }

    /// <summary>Claims the trial, hands it to the launcher as a job, and ends its run from what came back.</summary>
    private async Task<TrialResult> RunTrialAsync(TrialLifecycle lifecycle, Trial trial, Slot slot, CancellationToken stop, CancellationToken kill)
    {
        using var claim = lifecycle.Claim(trial);
        var disposition = claim.Disposition;
        switch (disposition.Kind)
        {
            case DispositionKind.RunningElsewhere when claim.Held && !options.Detach && lifecycle.LastJob(disposition.Existing!) is { } earlier:
                // A job that an earlier `exp run` submitted is still writing the run: follow it again if the launcher still runs it.
                if (launcher.TryReattach(earlier, progress => observer.TrialProgress(trial, progress)) is { } followed)
                {
                    return await WaitAndEndAsync(lifecycle, trial, earlier, followed, slot, stop, kill);
                }
                return new TrialResult(trial, TrialResultKind.RunningElsewhere, earlier.Job.RunId, disposition.Why, new Dictionary<string, double>(), TimeSpan.Zero);
            case DispositionKind.RunningElsewhere:
                return new TrialResult(trial, TrialResultKind.RunningElsewhere, disposition.Existing?.Run.RunId, disposition.Why, new Dictionary<string, double>(), TimeSpan.Zero);
            case DispositionKind.Skip:
                return new TrialResult(trial, TrialResultKind.AlreadyFinished, disposition.Existing!.Run.RunId, null, disposition.Existing.Metrics, TimeSpan.Zero);
        }

        var job = lifecycle.Prepare(trial, disposition, TrialPlacement.For(trial, slot));
        var handle = launcher.Submit(job, progress => observer.TrialProgress(trial, progress));
        if (options.Detach)
        {
            using (handle)
            {
                await handle.SubmittedAsync(CancellationToken.None);
            }
            return new TrialResult(trial, TrialResultKind.Submitted, job.Job.RunId, handle.Id, new Dictionary<string, double>(), TimeSpan.Zero);
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
                await handle.SubmittedAsync(CancellationToken.None);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // Not submitted: the handle ends with why, and the run is ended from that below.
            }
            slot = slot with { Location = handle.Id };
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
}
