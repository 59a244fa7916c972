using Exp.Engine.Objective;
using Exp.Engine.Training;

namespace Exp.Engine.Tests.Training;

public sealed class RecordingObserver : ITrainingObserver
{
    public List<TrainingStep> Steps { get; } = [];
    public List<(int Epoch, long Step, IReadOnlyDictionary<string, double> Metrics)> Evaluations { get; } = [];
    public List<(string Key, long Step, byte[] Png)> Images { get; } = [];
    public List<(int Epoch, string Path)> Checkpoints { get; } = [];
    public List<(long Step, IReadOnlyDictionary<string, double> Metrics)> Tests { get; } = [];
    public List<ProposalComparisonResult> Comparisons { get; } = [];

    public void OnStep(TrainingStep step) => Steps.Add(step);
    public void OnEpochEvaluated(int epoch, long step, IReadOnlyDictionary<string, double> metrics) => Evaluations.Add((epoch, step, metrics));
    public void OnImage(string key, long step, byte[] png) => Images.Add((key, step, png));
    public void OnCheckpoint(int epoch, string path) => Checkpoints.Add((epoch, path));
    public void OnTestEvaluated(long step, IReadOnlyDictionary<string, double> metrics) => Tests.Add((step, metrics));
    public void OnProposalComparison(ProposalComparisonResult result) => Comparisons.Add(result);
}
