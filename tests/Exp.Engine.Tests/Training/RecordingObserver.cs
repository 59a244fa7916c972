using Exp.Engine.Objective;
using Exp.Engine.Training;

namespace Exp.Engine.Tests.Training;

public sealed class RecordingObserver : ITrainingObserver
{
    public List<TrainingStep> Steps { get; } = [];
    public List<(int Epoch, IReadOnlyDictionary<string, double> Metrics)> Evaluations { get; } = [];
    public List<(string Key, int Step, byte[] Png)> Images { get; } = [];
    public List<(int Epoch, string Path)> Checkpoints { get; } = [];
    public List<IReadOnlyDictionary<string, double>> Tests { get; } = [];
    public List<ProposalComparisonResult> Comparisons { get; } = [];

    public void OnStep(TrainingStep step) => Steps.Add(step);
    public void OnEpochEvaluated(int epoch, IReadOnlyDictionary<string, double> metrics) => Evaluations.Add((epoch, metrics));
    public void OnImage(string key, int step, byte[] png) => Images.Add((key, step, png));
    public void OnCheckpoint(int epoch, string path) => Checkpoints.Add((epoch, path));
    public void OnTestEvaluated(IReadOnlyDictionary<string, double> metrics) => Tests.Add(metrics);
    public void OnProposalComparison(ProposalComparisonResult result) => Comparisons.Add(result);
}
