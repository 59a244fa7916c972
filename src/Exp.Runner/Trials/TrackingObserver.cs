using Exp.Engine.Objective;
using Exp.Engine.Training;
using Exp.Spec;
using Exp.Tracking;
using Exp.Tracking.Recording;

namespace Exp.Runner.Trials;

/// <summary>
/// Turns what the trainer reports into MLflow records and progress events. Everything of an
/// epoch (held-out metrics, the <see cref="Metrics.Epoch"/> that names the epoch, its images, and
/// the test metrics after the last) is logged at the global step that ended that epoch, so every
/// record of a run shares one step axis: MLflow's image cards show the image logged at exactly
/// the step its slider (or the charts' shared step) selects, beside the metrics of that step; and a
/// resume can drop everything after its checkpoint's step.
/// </summary>
public sealed class TrackingObserver(IRunRecorder recorder, int epochs, Action<TrialEvent> report, FaultInjection faults)
    : ITrainingObserver
{
    private long lastStep;

    public IReadOnlyDictionary<string, double> LastMetrics { get; private set; } = new Dictionary<string, double>();

    /// <summary>The epoch of the last checkpoint written in this process; null before the first.</summary>
    public int? LastEpoch { get; private set; }

    /// <summary>The step of that checkpoint.</summary>
    public long? LastCheckpointStep { get; private set; }

    public void OnStep(TrainingStep step)
    {
        lastStep = step.Step;
        recorder.LogMetric(Metrics.TrainLoss, step.Loss, step.Step);
        report(new TrialEvent(TrialEventKind.Step, step.Epoch, epochs, step.Step, step.Progress, step.Loss));
        faults.AtStep(step.Step);
    }

    public void OnEpochEvaluated(int epoch, long step, IReadOnlyDictionary<string, double> metrics)
    {
        lastStep = step;
        LastMetrics = metrics;
        recorder.LogMetrics(new Dictionary<string, double>(metrics) { [Metrics.Epoch] = epoch }, step);
        report(new TrialEvent(TrialEventKind.Evaluated, epoch, epochs, step, (double)epoch / epochs, Metrics: metrics));
    }

    /// <summary>At the step of the last epoch's evaluation, beside it.</summary>
    public void OnTestEvaluated(long step, IReadOnlyDictionary<string, double> metrics)
    {
        LastMetrics = new Dictionary<string, double>(LastMetrics.Concat(metrics));
        recorder.LogMetrics(metrics, step);
    }

    /// <summary>
    /// One metric per k (proposal/q/k1000, ...) at the trial's last step, beside the test metrics:
    /// k is not a time, and at step = k MLflow drew the figures as training curves.
    /// </summary>
    public void OnProposalComparison(ProposalComparisonResult result) => recorder.LogMetrics(result.Metrics(), lastStep);

    public void OnImage(string key, long step, byte[] png) => recorder.LogImage(key, step, png);

    public void OnCheckpoint(int epoch, string path)
    {
        LastEpoch = epoch;
        LastCheckpointStep = lastStep;
    }
}
