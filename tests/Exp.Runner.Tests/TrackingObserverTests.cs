using Exp.Engine.Objective;
using Exp.Engine.Training;
using Exp.Runner.Trials;
using Exp.Spec;
using Exp.Tracking;
using Exp.Tracking.Model;
using Exp.Tracking.Recording;

namespace Exp.Runner.Tests;

public class TrackingObserverTests
{
    [Fact]
    public void Every_metric_and_image_lands_on_the_training_step_axis_at_the_step_that_ended_its_epoch()
    {
        var recorder = new RecordingRecorder();
        var events = new List<TrialEvent>();
        var observer = new TrackingObserver(recorder, epochs: 2, events.Add, FaultInjection.FromEnvironment());

        observer.OnStep(new TrainingStep(10, 1, 0.5, 0.25));
        observer.OnStep(new TrainingStep(20, 1, 0.4, 0.5));
        observer.OnEpochEvaluated(1, 20, new Dictionary<string, double> { [Metrics.Elbo] = -300 });
        observer.OnImage("samples", 20, [1, 2, 3]);

        Assert.Equal(
            [(Metrics.TrainLoss, 0.5, 10L), (Metrics.TrainLoss, 0.4, 20L), (Metrics.Elbo, -300.0, 20L), (Metrics.Epoch, 1.0, 20L)],
            recorder.Metrics);
        // MLflow's image card shows the image logged at exactly the step its slider selects: the step of the epoch's metrics.
        Assert.Equal([("samples", 20L)], recorder.Images);
        Assert.Equal([TrialEventKind.Step, TrialEventKind.Step, TrialEventKind.Evaluated], events.Select(e => e.Kind));
        Assert.Equal(-300, observer.LastMetrics[Metrics.Elbo]);
    }

    [Fact]
    public void Test_metrics_and_the_proposal_comparison_land_beside_the_last_evaluation_one_metric_per_k()
    {
        var recorder = new RecordingRecorder();
        var observer = new TrackingObserver(recorder, epochs: 1, _ => { }, FaultInjection.FromEnvironment());
        double[] Two(double first, double second) => [first, second];
        var errors = new EstimatorErrors(Two(-320, -305), Two(-15, -1), Two(2, 0.5), Two(400, 3), Two(50, 1));

        observer.OnStep(new TrainingStep(30, 1, 0.5, 1));
        observer.OnEpochEvaluated(1, 30, new Dictionary<string, double> { [Metrics.Elbo] = -300 });
        observer.OnTestEvaluated(30, new Dictionary<string, double> { [Metrics.TestElbo] = -310 });
        observer.OnProposalComparison(new ProposalComparisonResult([1, 1000], 16, 3, 4000, -304, -280, errors, errors, errors));

        var logged = recorder.Metrics.Skip(3).ToList();
        Assert.Equal((Metrics.TestElbo, -310.0, 30L), logged[0]);
        // k is not a time: MLflow would draw a step = k series as a training curve. One metric per k, all at the last step.
        Assert.All(logged, metric => Assert.Equal(30L, metric.Step));
        Assert.Contains(("proposal/q/k1000", -305.0, 30L), logged);
        Assert.Contains(("proposal/prior/mse/k1", 400.0, 30L), logged);
        Assert.Contains(("proposal/recon/bias_se/k1000", 0.5, 30L), logged);
        Assert.Contains(("proposal/q/reference", -304.0, 30L), logged);
        Assert.Equal(1 + 3 * 2 * 5 + 2, logged.Count);
        // The summary of the trial shows the test metrics beside the last evaluation's.
        Assert.Equal((-300.0, -310.0), (observer.LastMetrics[Metrics.Elbo], observer.LastMetrics[Metrics.TestElbo]));
    }

    private sealed class RecordingRecorder : IRunRecorder
    {
        public List<(string Key, double Value, long Step)> Metrics { get; } = [];

        public List<(string Key, long Step)> Images { get; } = [];

        public RunInfo Run => throw new NotSupportedException();

        public void LogMetric(string key, double value, long step) => Metrics.Add((key, value, step));

        public void LogMetrics(IReadOnlyDictionary<string, double> values, long step) =>
            Metrics.AddRange(values.Select(pair => (pair.Key, pair.Value, step)));

        public void LogImage(string key, long step, byte[] png) => Images.Add((key, step));

        public void LogParams(IEnumerable<Param> parameters) => throw new NotSupportedException();

        public void SetTags(IEnumerable<RunTag> tags) => throw new NotSupportedException();

        public void LogArtifact(string artifactPath, byte[] content) => throw new NotSupportedException();

        public void DeleteMetricsAfterStep(long lastStep) => throw new NotSupportedException();

        public Task FlushAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task EndAsync(RunStatus status, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task CloseAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
