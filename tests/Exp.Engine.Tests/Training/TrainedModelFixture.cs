using Exp.Engine.Data;
using Exp.Engine.Models;
using Exp.Engine.Objective;
using Exp.Engine.Training;
using Exp.Spec;
using static TorchSharp.torch;

namespace Exp.Engine.Tests.Training;

/// <summary>
/// One model trained for a few hundred steps (8 epochs of 31 batches of 64) on 2,000
/// Fashion-MNIST images, shared by the tests that need a trained model, with the held-out
/// metrics of the same model before training.
/// </summary>
public sealed class TrainedModelFixture : IDisposable
{
    public TrainedModelFixture()
    {
        Config = TestConfigs.Trial(data: TestConfigs.FashionMnist(2223, 200), epochs: 8, batchSize: 64, lr: 2e-3);
        Directory = System.IO.Directory.CreateTempSubdirectory("exp-trained-").FullName;

        using (var data = Datasets.Load(Config.Data, Config.Seed))
        {
            manual_seed(Config.Seed);
            using var untrained = VaeFactory.Create(Config.Model, Config.Loss, 1, 28);
            Before = Evaluator.Evaluate(untrained, data.Validation, Config.Eval.BatchSize, 0, new Generator(1)).Metrics;
        }
        Result = new Trainer(Config, new TrainerOptions { CheckpointDirectory = Directory, Observer = Observer }).Run();
    }

    public TrialConfig Config { get; }
    public string Directory { get; }
    public RecordingObserver Observer { get; } = new();
    public IReadOnlyDictionary<string, double> Before { get; }
    public TrainingResult Result { get; }

    /// <summary>The trained model, loaded from the last checkpoint.</summary>
    public Vae LoadModel()
    {
        var vae = VaeFactory.Create(Config.Model, Config.Loss, 1, 28);
        vae.load(Path.Combine(Observer.Checkpoints[^1].Path, "model.bin"));
        vae.eval();
        return vae;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
