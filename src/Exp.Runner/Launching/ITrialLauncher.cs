using Exp.Runner.Jobs;
using Exp.Runner.Trials;

namespace Exp.Runner.Launching;

/// <summary>A job file written into a trial's run, and the job it holds.</summary>
/// <param name="Path">The file (<c>job.json</c> in the run's folder): what a launcher hands over.</param>
public sealed record TrialJobFile(string Path, TrialJob Job)
{
    /// <summary>The run's folder, where the trial writes its outcome.</summary>
    public string RunDirectory => Job.RunDirectory;

    /// <summary>The folder of the sweep's run, where a launcher keeps what is the sweep's (job scripts); null for a trial alone.</summary>
    public string? SweepRunDirectory { get; init; }
}

/// <summary>
/// Runs trial jobs somewhere: a process on this machine, this process, a cluster. It only
/// runs: which trial runs, resumes or stops is the runner's to decide, and a trial's run is
/// the runner's to end, and a trial's progress reaches the runner only as the trial's own
/// <see cref="TrialEvent"/>s. Submitting returns at once with a handle.
/// </summary>
public interface ITrialLauncher : IAsyncDisposable
{
    /// <summary>Starts the job; returns when it is submitted, not when it is done.</summary>
    /// <param name="progress">Where the trial's progress goes, if this launcher can see it (called from any thread).</param>
    ITrialHandle Submit(TrialJobFile job, Action<TrialEvent> progress);

    /// <summary>
    /// Whether jobs wait in a queue of the launcher's own (a cluster's): the runner then
    /// submits every trial at once and leaves execution.parallel to the launcher.
    /// </summary>
    bool QueuesJobs => false;

    /// <summary>
    /// The job that an earlier sweep submitted for this trial, followed again while it is still
    /// queued or running; null when it is not. Local jobs end with their sweep.
    /// </summary>
    /// <param name="earlier">The <see cref="JobId.Value"/> this launcher gave that job, as the trial's run recorded it.</param>
    ITrialHandle? TryReattach(TrialJobFile job, string earlier, Action<TrialEvent> progress) => null;

    /// <summary>Stops following jobs; the jobs themselves are the handles' to end.</summary>
    ValueTask IAsyncDisposable.DisposeAsync() => ValueTask.CompletedTask;
}

public enum TrialHandleState
{
    /// <summary>Submitted, not started yet (queued on a cluster).</summary>
    Pending,
    Running,
    /// <summary>Its process is gone; <see cref="ITrialHandle.WaitAsync"/> has the exit.</summary>
    Ended,
}

/// <summary>A submitted trial job.</summary>
public interface ITrialHandle : IDisposable
{
    /// <summary>What the launcher calls the job (a process id, a cluster job id); null until it is submitted.</summary>
    JobId? Id { get; }

    /// <summary>Where the job is now; never blocks.</summary>
    TrialHandleState Poll();

    /// <summary>Completes once the job is in the hands of whatever runs it (a cluster's queue); at once for local jobs.</summary>
    Task SubmittedAsync(CancellationToken cancellation) => Task.CompletedTask;

    /// <summary>Completes when the job has ended, with how its process ended.</summary>
    Task<TrialExit> WaitAsync(CancellationToken cancellation);

    /// <summary>Asks the trial to stop gracefully: it checkpoints and reports itself Killed.</summary>
    void RequestStop();

    /// <summary>Ends the job at once; it reports nothing.</summary>
    void Cancel();
}
