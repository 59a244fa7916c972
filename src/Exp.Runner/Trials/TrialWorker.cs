using Exp.Engine.Data;
using Exp.Engine.Native;
using Exp.Engine.Numerics;
using Exp.Engine.Training;
using Exp.Runner.Jobs;
using Exp.Runner.Hosting;
using Exp.Runner.Launching;
using Exp.Tracking;
using Exp.Tracking.Model;
using Exp.Tracking.Recording;
using Serilog;

namespace Exp.Runner.Trials;

/// <summary>What a trial's worker needs besides its job: how it logs.</summary>
public sealed record TrialWorkerOptions
{
    /// <summary>Makes the trial's logger, given the path of its log file.</summary>
    public required Func<string, ILogger> OpenLog { get; init; }

    /// <summary>Where tracking says what a user should know (a server unreachable, a run kept locally).</summary>
    public ILogger TrackingLog { get; init; } = Serilog.Core.Logger.None;

    public FaultInjection Faults { get; init; } = FaultInjection.FromEnvironment();
}

/// <summary>
/// Runs one trial job wherever a launcher put it: reads the config from the job, records
/// metrics and images into the job's run as training goes (resuming from the run's newest
/// checkpoint and dropping the values logged after it, so each step keeps one value), and
/// reports its outcome once, in <c>outcome.json</c>. It never sets the run's status: the
/// runner that launched it owns the run and ends it from the report.
/// </summary>
public static class TrialWorker
{
    public static async Task<TrialReport> RunAsync(TrialJobFile jobFile, Action<TrialEvent> progress, TrialWorkerOptions options, CancellationToken stop)
    {
        var job = jobFile.Job;
        TrialReport report;
        try
        {
            report = await RunJobAsync(jobFile, progress, options, stop);
        }
        catch (Exception error)
        {
            // Training reports its own failures (TrainAsync). What ends here failed around it,
            // mostly before its log existed: the job's config refused, the run or the log not
            // opened. The report is how the reason still reaches the runner, its console and the
            // run's note, rather than an exit code and a stack trace on a stderr nobody reads.
            var reason = error is InvalidDataException or IOException or UnauthorizedAccessException
                ? error.Message
                : $"{error.GetType().Name}: {error.Message}";
            report = new TrialReport(TrialStatus.Failed, reason, job.ResumeFromEpoch, 0, new Dictionary<string, double>());
        }
        // Last: once the report exists, the run's owner may end the run.
        report.Write(RunFolders.OutcomeFile(job.RunDirectory));
        return report;
    }

    private static async Task<TrialReport> RunJobAsync(TrialJobFile jobFile, Action<TrialEvent> progress, TrialWorkerOptions options, CancellationToken stop)
    {
        var job = jobFile.Job;
        var config = job.ReadConfig(jobFile.Path);
        var serverUri = job.Tracking.ServerUri is { } server ? new Uri(server) : null;
        await using var tracker = Tracker.Open(new TrackingTarget(job.Tracking.LocalStore, serverUri), new SerilogTrackingLog(options.TrackingLog));
        var recorder = tracker.RecordInto(job.RunId);
        var logPath = RunFolders.Log(job.RunDirectory);
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = options.OpenLog(logPath);
        TrialReport? report = null;
        try
        {
            log.Information("Trial {Name} ({Id}) in run {RunId} of experiment {Experiment}", job.TrialName, job.TrialId, job.RunId, job.Experiment);
            var checkpoints = RunFolders.Checkpoints(job.RunDirectory);
            var resumed = Checkpoint.TryReadState(checkpoints);
            recorder.DeleteMetricsAfterStep(resumed?.Step ?? 0);
            // Pictures too: an epoch that ended after the checkpoint (or a failed write of it) logs them again.
            tracker.Store.DeleteImagesAfterStep(job.RunId, resumed?.Step ?? 0);
            if (resumed is not null)
            {
                log.Information("Resuming from the checkpoint of epoch {Epoch} (step {Step})", resumed.Epoch, resumed.Step);
            }
            var epochs = config.Train.Epochs;
            progress(new TrialEvent(TrialEventKind.Started, resumed?.Epoch ?? 0, epochs, resumed?.Step ?? 0, (double)(resumed?.Epoch ?? 0) / epochs));

            var observer = new TrackingObserver(recorder, epochs, progress, options.Faults);
            var trainer = new Trainer(config, new TrainerOptions
            {
                KernelsChosen = kernels =>
                {
                    log.Write(kernels.Correct ? Serilog.Events.LogEventLevel.Information : Serilog.Events.LogEventLevel.Warning, "{Kernels}", kernels.Describe());
                    recorder.SetTags([new RunTag(TrialTags.CpuKernels, kernels.Tag)]);
                },
                NumericsChecked = report => log.Information("{Check}", report.Describe()),
                CheckpointDirectory = checkpoints,
                Observer = observer,
                Threads = job.Threads,
                Device = job.Device,
                UntilEpoch = job.UntilEpoch,
            });
            report = await TrainAsync(trainer, observer, epochs, resumed, log, stop);
        }
        finally
        {
            try
            {
                await recorder.CloseAsync(CancellationToken.None);
            }
            catch (IOException error) when (DiskFull.Is(error) && report is not null)
            {
                // What did not fit is lost; the report says why, so that the runner ends the run FAILED with it.
                // The pictures after the last checkpoint are what a rerun deletes first: deleted now, they leave
                // room on the full disk for the reason the runner writes.
                tracker.Store.DeleteImagesAfterStep(job.RunId, report.Step);
                if (!DiskFull.IsReason(report.Reason))
                {
                    report = report with { Status = TrialStatus.Failed, Reason = DiskFull.Describe(error, job.Tracking.LocalStore) };
                    log.Error("Failed: {Reason}", report.Reason);
                }
            }
            (log as IDisposable)?.Dispose();
        }
        return report;
    }

    private static async Task<TrialReport> TrainAsync(Trainer trainer, TrackingObserver observer, int epochs, Checkpoint.State? resumed, ILogger log, CancellationToken stop)
    {
        TrialReport Ended(TrialStatus status, string? reason) =>
            new(status, reason, observer.LastEpoch ?? resumed?.Epoch ?? 0, observer.LastCheckpointStep ?? resumed?.Step ?? 0, observer.LastMetrics);
        try
        {
            // A thread of its own (LongRunning), whichever launcher runs the worker: the trainer loads
            // the data and runs every step on that one thread. libtorch keeps an OpenMP thread team per
            // calling thread, and a loop moved to another thread than the one that loaded the data ran
            // 15-27% slower here (see Trainer).
            var result = await Task.Factory.StartNew(() => trainer.Run(stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            if (result.Epochs < epochs)
            {
                var paused = $"paused after epoch {result.Epochs} of {epochs} (its job's budget); it continues from this checkpoint when launched again";
                log.Information("{Reason}", paused);
                return new TrialReport(TrialStatus.Paused, paused, result.Epochs, result.Steps, result.Metrics);
            }
            log.Information("Finished {Epochs} epochs, {Steps} steps", result.Epochs, result.Steps);
            return new TrialReport(TrialStatus.Finished, null, result.Epochs, result.Steps, result.Metrics);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            const string reason = "stopped by the user; resumes from its last checkpoint";
            log.Warning("Stopped: {Reason}", reason);
            return Ended(TrialStatus.Killed, reason);
        }
        catch (Exception error) when (error is NonFiniteLossException or DataNotFoundException or WrongNumericsException)
        {
            log.Error("Failed: {Reason}", error.Message);
            return Ended(TrialStatus.Failed, error.Message);
        }
        catch (IOException error) when (DiskFull.Is(error))
        {
            var reason = DiskFull.Describe(error);
            log.Error("Failed: {Reason}", reason);
            return Ended(TrialStatus.Failed, reason);
        }
        catch (Exception error)
        {
            // A native (libtorch) error's message carries its whole C++ stack: people get its
            // first line, the trial's log file gets all of it.
            var firstLine = error.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
            var reason = $"{error.GetType().Name}: {firstLine} (the whole error is in {RunFolders.LogArtifactPath})";
            log.Error(error, "Failed: {Reason}", reason);
            return Ended(TrialStatus.Failed, reason);
        }
    }
}
