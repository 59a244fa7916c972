using Exp.Runner.Launching;
using Exp.Runner.Trials;
using Exp.Spec;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;

namespace Exp.Runner.Slurm;

/// <summary>How a sweep's trials run on Slurm.</summary>
/// <param name="Exp">The exp program the elements run; it must be at the same path on the compute nodes.</param>
/// <param name="Parallel">Elements running at once: the arrays' %throttle.</param>
/// <param name="JobName">What squeue shows.</param>
/// <param name="Notice">Where what the user should know goes (pending reasons, requeues).</param>
public sealed record SlurmLauncherOptions(ExpExecutable Exp, SlurmConfig Slurm, int Parallel, string JobName, Action<string> Notice)
{
    public string WorkingDirectory { get; init; } = Environment.CurrentDirectory;

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long submissions are gathered, so that a sweep's trials go into one array.</summary>
    public TimeSpan Gather { get; init; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>
/// Runs trial jobs as elements of Slurm job arrays (<c>exp trial --job FILE --slurm</c>).
/// Jobs submitted together go into one array (split within the cluster's MaxArraySize);
/// a trial whose element from an earlier `exp run` is still queued or running is followed
/// through <see cref="TryReattach"/>, not submitted again. One watcher reads squeue for every element, in one call per poll,
/// and the runs' metric files for progress; it never uses sacct. A handle ends when its
/// element has ended for good: requeued, preempted and pending elements have not.
/// </summary>
public sealed class SlurmLauncher : ITrialLauncher, IAsyncDisposable
{
    private readonly SlurmClient client;
    private readonly SlurmLauncherOptions options;
    private readonly ClusterConfig cluster;
    private readonly object gate = new();
    private readonly List<Handle> gathering = [];
    private readonly List<Handle> handles = [];
    private readonly CancellationTokenSource closing = new();
    private readonly Task watcher;
    private Task? flush;
    private string lastWaiting = "";

    private SlurmLauncher(SlurmClient client, SlurmLauncherOptions options, ClusterConfig cluster)
    {
        this.client = client;
        this.options = options;
        this.cluster = cluster;
        watcher = Task.Run(WatchAsync);
    }

    /// <summary>Checks that Slurm's clients are here and the controller answers, before anything is written.</summary>
    public static async Task<SlurmLauncher> ConnectAsync(SlurmClient client, SlurmLauncherOptions options, CancellationToken cancellation)
    {
        SlurmClient.EnsureInstalled();
        var cluster = await client.ConfigAsync(cancellation);
        return new SlurmLauncher(client, options, cluster);
    }

    public ITrialHandle Submit(TrialJobFile job, Action<TrialEvent> progress)
    {
        var handle = new Handle(this, Placed(job), progress);
        lock (gate)
        {
            gathering.Add(handle);
            handles.Add(handle);
            flush ??= Task.Run(FlushAsync);
        }
        return handle;
    }

    public bool QueuesJobs => true;

    /// <summary>
    /// Follows the element of an earlier `exp run` that holds this trial, pending, held or
    /// running; null when it is not in the queue any more (or the trial never had one).
    /// </summary>
    public ITrialHandle? TryReattach(TrialJobFile job, Action<TrialEvent> progress)
    {
        var store = new FileStore(job.Job.Tracking.LocalStore);
        if (store.GetTags(job.Job.RunId).GetValueOrDefault(SlurmTags.Element) is not { } element)
        {
            return null;
        }
        var queue = client.QueueAsync([element.Split('_')[0]], CancellationToken.None).GetAwaiter().GetResult();
        if (!queue.Any(e => e.ElementId == element && !e.IsFinal))
        {
            return null;
        }
        var handle = new Handle(this, job, progress) { Element = element };
        handle.Submitted.TrySetResult();
        lock (gate)
        {
            handles.Add(handle);
        }
        return handle;
    }

    /// <summary>
    /// The job as it runs on the cluster: its element's CPUs as torch threads, and CUDA when
    /// Slurm gives it GPUs (Slurm sets CUDA_VISIBLE_DEVICES, never exp).
    /// </summary>
    private TrialJobFile Placed(TrialJobFile job)
    {
        var device = options.Slurm.GpusPerTrial > 0 && job.Job.ReadConfig(job.Path).Train.Device != "cpu" ? "cuda" : null;
        var placed = job.Job with { Threads = options.Slurm.CpusPerTask, Gpu = null, Device = device };
        placed.Write(job.Path);
        return job with { Job = placed };
    }

    /// <summary>Submits what was gathered as job arrays (the runner has followed, not submitted, trials still queued).</summary>
    private async Task FlushAsync()
    {
        await Task.Delay(options.Gather);
        List<Handle> batch;
        lock (gate)
        {
            batch = [.. gathering];
            gathering.Clear();
            flush = null;
        }
        try
        {
            await SubmitArraysAsync(batch);
        }
        catch (Exception error) when (error is SlurmException or IOException or OperationCanceledException)
        {
            foreach (var handle in batch.Where(h => !h.Submitted.Task.IsCompleted))
            {
                handle.Submitted.TrySetException(error);
                handle.End(new TrialExit(-1, [$"could not be submitted to Slurm: {error.Message}"]));
            }
        }
    }

    private async Task SubmitArraysAsync(List<Handle> batch)
    {
        var first = batch[0].Job.Job;
        var store = new FileStore(first.Tracking.LocalStore);
        // The sweep's run keeps the job scripts and the elements' own output; a trial's own output goes into its run.
        var owner = first.ParentRunId ?? first.RunId;
        var logs = Path.Combine(store.ArtifactDirectory(owner), "slurm");
        Directory.CreateDirectory(logs);
        var byRun = batch.ToDictionary(h => h.Job.Job.RunId);
        var trials = batch.Select(h => new ElementTrial(
            h.Job.Job.TrialId, h.Job.Job.RunId, h.Job.RunDirectory,
            [
                options.Exp.FileName, .. options.Exp.LeadingArguments, "trial", "--job", h.Job.Path,
                "--slurm", "--max-time-limit-requeues", options.Slurm.MaxTimeLimitRequeues.ToString(), "--time-limit", options.Slurm.Time,
            ])).ToList();
        var jobOptions = new SlurmJobOptions(options.JobName, options.Parallel, logs, options.WorkingDirectory, options.Slurm);
        string? previous = null;
        var submitted = new List<string>();
        foreach (var chunk in ArrayPlan.Split(trials, options.Slurm.TrialsPerElement, cluster.MaxArraySize))
        {
            var script = Path.Combine(logs, $"array-{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}-{chunk.Number}.sh");
            File.WriteAllText(script, JobScript.Render(chunk, jobOptions));
            // Chunks run one after another, so that execution.parallel holds across them.
            var arrayId = await client.SubmitAsync(script, previous, closing.Token);
            previous = arrayId;
            submitted.Add(arrayId);
            var known = store.GetTags(owner).GetValueOrDefault(SlurmTags.Arrays) is { Length: > 0 } earlier ? earlier + "," : "";
            store.SetTags(owner, [new RunTag(SlurmTags.Arrays, known + arrayId)]);
            foreach (var element in chunk.Elements)
            {
                foreach (var trial in element.Trials)
                {
                    var handle = byRun[trial.RunId];
                    handle.Element = $"{arrayId}_{element.Index}";
                    store.SetTags(trial.RunId, [new RunTag(SlurmTags.Element, handle.Element)]);
                }
            }
        }
        // Only once everything about the submission is recorded: a detached sweep exits at this point.
        foreach (var handle in batch)
        {
            handle.Submitted.TrySetResult();
        }
        options.Notice($"submitted {batch.Count} trial(s) to Slurm as job array(s) {string.Join(", ", submitted)}, {options.Parallel} at a time");
    }

    /// <summary>One squeue per poll for every element followed; progress from the runs' metric files.</summary>
    private async Task WatchAsync()
    {
        var queueTrouble = false;
        while (!closing.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.PollInterval, closing.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            List<Handle> followed;
            lock (gate)
            {
                followed = handles.Where(h => h.Element is not null && !h.Ended).ToList();
            }
            if (followed.Count == 0)
            {
                continue;
            }
            IReadOnlyList<QueueEntry> queue;
            try
            {
                queue = await client.QueueAsync(followed.Select(h => h.Element!.Split('_')[0]).Distinct().ToList(), closing.Token);
                queueTrouble = false;
            }
            catch (SlurmException error)
            {
                if (!queueTrouble)
                {
                    options.Notice($"cannot read the Slurm queue ({error.Message}); trying again");
                }
                queueTrouble = true;
                continue;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var byElement = queue.GroupBy(e => e.ElementId).ToDictionary(g => g.Key, g => g.First());
            foreach (var handle in followed)
            {
                handle.Follow(byElement.GetValueOrDefault(handle.Element!));
            }
            var waiting = string.Join(", ", followed
                .Where(h => !h.Ended && byElement.GetValueOrDefault(h.Element!) is { IsPending: true })
                .Select(h => byElement[h.Element!])
                .DistinctBy(e => e.ElementId)
                .GroupBy(e => e.Reason is "None" or "" ? "the scheduler" : e.Reason)
                .Select(g => $"{g.Count()} element(s) waiting for {g.Key}"));
            if (waiting != lastWaiting && waiting != "")
            {
                options.Notice($"Slurm: {waiting}");
            }
            lastWaiting = waiting;
        }
    }

    private void Signal(Handle handle, bool graceful)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await handle.Submitted.Task;
                if (!graceful || handle.State == TrialHandleState.Pending)
                {
                    await client.CancelAsync([handle.Element!], pendingOnly: false, CancellationToken.None);
                }
                else
                {
                    // The trial checkpoints at its next step and reports itself KILLED.
                    await client.SignalAsync([handle.Element!], "TERM", CancellationToken.None);
                }
            }
            catch (Exception error) when (error is SlurmException or IOException)
            {
                options.Notice($"could not stop {handle.Job.Job.TrialName} ({handle.Element}): {error.Message}");
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await closing.CancelAsync();
        await watcher;
        closing.Dispose();
    }

    private sealed class Handle(SlurmLauncher launcher, TrialJobFile job, Action<TrialEvent> progress) : ITrialHandle
    {
        private readonly TaskCompletionSource<TrialExit> exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int epochsSeen;
        private long lastStep = -1;
        private string? restarts;
        private readonly int totalEpochs = job.Job.ReadConfig(job.Path).Train.Epochs;

        public TrialJobFile Job { get; } = job;

        public TaskCompletionSource Submitted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>`arrayJobId_index`, once submitted.</summary>
        public string? Element { get; set; }

        public TrialHandleState State { get; private set; } = TrialHandleState.Pending;

        public bool Ended => exit.Task.IsCompleted;

        public string Id => Element is null ? "(not submitted yet)" : $"Slurm {Element}";

        public TrialHandleState Poll() => Ended ? TrialHandleState.Ended : State;

        public Task<TrialExit> WaitAsync(CancellationToken cancellation) => exit.Task.WaitAsync(cancellation);

        public Task SubmittedAsync(CancellationToken cancellation) => Submitted.Task.WaitAsync(cancellation);

        public void RequestStop() => launcher.Signal(this, graceful: true);

        public void Cancel() => launcher.Signal(this, graceful: false);

        public void End(TrialExit how) => exit.TrySetResult(how);

        /// <summary>One look: the element in the queue (null: no longer listed), and the run's progress.</summary>
        public void Follow(QueueEntry? entry)
        {
            var store = new FileStore(Job.Job.Tracking.LocalStore);
            var tags = store.GetTags(Job.Job.RunId);
            if (entry is { State: "RUNNING" })
            {
                State = TrialHandleState.Running;
                var now = tags.GetValueOrDefault(SlurmTags.Restarts);
                if (restarts is not null && now is not null && now != restarts)
                {
                    launcher.options.Notice($"{Job.Job.TrialName}: requeued by Slurm (restart {now}); it resumes from its checkpoint in the same run");
                }
                restarts = now ?? restarts;
                ReportProgress(store);
            }
            else if (entry is { IsPending: true })
            {
                State = TrialHandleState.Pending;
            }
            if (entry is null || entry.IsFinal)
            {
                ReportProgress(store);
                End(new TrialExit(-1, Why(entry, tags)));
            }
        }

        /// <summary>What the run's owner adds to the note when the trial wrote no outcome.</summary>
        private List<string> Why(QueueEntry? entry, IReadOnlyDictionary<string, string> tags)
        {
            var state = entry?.State ?? "no longer in squeue";
            List<string> why = [$"Slurm element {Element} ended ({state})."];
            if (!tags.ContainsKey(SlurmTags.Node))
            {
                why.Add($"The trial never started: is the store {Job.Job.Tracking.LocalStore} on a file system the compute nodes share? "
                    + "See the element's output in the sweep run's artifacts (slurm/).");
            }
            var log = Path.Combine(Job.RunDirectory, "artifacts", "logs", "slurm.log");
            if (File.Exists(log))
            {
                why.AddRange(File.ReadLines(log).TakeLast(20));
            }
            return why;
        }

        private void ReportProgress(FileStore store)
        {
            var total = totalEpochs;
            var epochs = store.GetMetricHistory(Job.Job.RunId, TrackingObserver.EpochMetric);
            if (epochs.Count > epochsSeen)
            {
                epochsSeen = epochs.Count;
                var epoch = (int)epochs[^1].Value;
                var elbo = store.GetMetricHistory(Job.Job.RunId, Metrics.Elbo);
                var metrics = elbo.Count == 0 ? null : new Dictionary<string, double> { [Metrics.Elbo] = elbo[^1].Value };
                progress(new TrialEvent(TrialEventKind.Evaluated, epoch, total, epochs[^1].Step, Math.Min(1.0, (double)epoch / total), null, metrics));
            }
            var losses = store.GetMetricHistory(Job.Job.RunId, "train/loss");
            if (losses.Count > 0 && losses[^1].Step != lastStep)
            {
                lastStep = losses[^1].Step;
                var done = epochs.Count == 0 ? 0 : (int)epochs[^1].Value;
                progress(new TrialEvent(TrialEventKind.Step, done + 1, total, lastStep, Math.Min(1.0, (double)done / total), losses[^1].Value));
            }
        }

        public void Dispose()
        {
            // The element lives on: a detached sweep's trials do not depend on this process.
        }
    }
}
