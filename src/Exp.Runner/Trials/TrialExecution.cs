using Exp.Engine.Data;
using Exp.Engine.Training;
using Exp.Spec;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking.Recording;
using Serilog;

namespace Exp.Runner.Trials;

/// <summary>How one trial runs in this process, beyond its config.</summary>
public sealed record TrialExecutionOptions
{
    /// <summary>Torch threads; null leaves torch's default (all cores).</summary>
    public int? Threads { get; init; }

    /// <summary>Overrides train.device, e.g. cuda:0 for the GPU a sweep placed the trial on.</summary>
    public string? Device { get; init; }

    public Action<TrialEvent> Report { get; init; } = _ => { };

    public FaultInjection Faults { get; init; } = FaultInjection.FromEnvironment();
}

/// <summary>
/// Trains one trial into its MLflow run: resumes from the run's last checkpoint (dropping
/// the metric values logged after it, so each step keeps one value), records metrics and
/// images as training goes, and ends the run FINISHED, FAILED with the reason, or KILLED.
/// </summary>
public static class TrialExecution
{
    public static async Task<TrialOutcome> RunAsync(
        TrialConfig config,
        FileStore store,
        IRunRecorder recorder,
        TrialExecutionOptions options,
        ILogger log,
        CancellationToken cancellation)
    {
        var runId = recorder.Run.RunId;
        var checkpoints = RunFolders.Checkpoints(store, runId);
        var resumed = Checkpoint.TryReadState(checkpoints);
        recorder.DeleteMetricsAfterStep(resumed?.Step ?? 0);
        if (resumed is not null)
        {
            log.Information("Resuming from the checkpoint of epoch {Epoch} (step {Step})", resumed.Epoch, resumed.Step);
        }
        options.Report(new TrialEvent(TrialEventKind.Started, resumed?.Epoch ?? 0, config.Train.Epochs, resumed?.Step ?? 0,
            (double)(resumed?.Epoch ?? 0) / config.Train.Epochs));

        var observer = new TrackingObserver(recorder, config.Train.Epochs, options.Report, options.Faults);
        var trainer = new Trainer(config, new TrainerOptions
        {
            CheckpointDirectory = checkpoints,
            Observer = observer,
            Threads = options.Threads,
            Device = options.Device,
        });
        var outcome = await TrainAsync(trainer, observer, log, cancellation);
        if (outcome.Reason is { } reason)
        {
            recorder.SetTags([new RunTag(TrialTags.Failure, reason), new RunTag(TrialTags.Note, reason)]);
        }
        await recorder.EndAsync(outcome.Status switch
        {
            TrialStatus.Finished => RunStatus.Finished,
            TrialStatus.Killed => RunStatus.Killed,
            _ => RunStatus.Failed,
        }, CancellationToken.None);
        return outcome;
    }

    private static async Task<TrialOutcome> TrainAsync(Trainer trainer, TrackingObserver observer, ILogger log, CancellationToken cancellation)
    {
        try
        {
            // Training is CPU- or GPU-bound work; off the caller's thread, so a console view stays live.
            var result = await Task.Run(() => trainer.Run(cancellation), CancellationToken.None);
            log.Information("Finished {Epochs} epochs, {Steps} steps", result.Epochs, result.Steps);
            return new TrialOutcome(TrialStatus.Finished, null, result.Metrics);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            const string reason = "stopped by the user; resumes from its last checkpoint";
            log.Warning("Stopped: {Reason}", reason);
            return new TrialOutcome(TrialStatus.Killed, reason, observer.LastMetrics);
        }
        catch (NonFiniteLossException error)
        {
            log.Error("Failed: {Reason}", error.Message);
            return new TrialOutcome(TrialStatus.Failed, error.Message, observer.LastMetrics);
        }
        catch (DataNotFoundException error)
        {
            log.Error("Failed: {Reason}", error.Message);
            return new TrialOutcome(TrialStatus.Failed, error.Message, observer.LastMetrics);
        }
        catch (Exception error)
        {
            log.Error(error, "Failed with an unexpected error");
            return new TrialOutcome(TrialStatus.Failed, $"{error.GetType().Name}: {error.Message}", observer.LastMetrics);
        }
    }
}
