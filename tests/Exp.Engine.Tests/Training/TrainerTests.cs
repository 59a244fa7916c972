using Exp.Engine.Data;
using Exp.Engine.Models;
using Exp.Engine.Objective;
using Exp.Engine.Training;
using Exp.Spec;
using StbImageSharp;
using TorchSharp;

namespace Exp.Engine.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("exp-trainer-").FullName;

    /// <summary>Batch norm and a learned sigma: state that a checkpoint must carry besides the weights.</summary>
    private static TrialConfig Small(int epochs) => TestConfigs.Trial(
        model: new ModelConfig(Architecture.Conv, [16, 32], 3, true, Activation.LeakyRelu, 8, Upsample.Nearest, OutputActivation.Linear),
        loss: TestConfigs.Loss(0.2, SigmaMode.Learned, 1e-2, KlMode.Fraction),
        epochs: epochs, iwaeSamples: 3, logEvery: 1);

    [Fact]
    public void The_same_seed_gives_the_same_numbers()
    {
        var (first, second) = (new RecordingObserver(), new RecordingObserver());

        var a = new Trainer(Small(2), new TrainerOptions { Observer = first }).Run();
        var b = new Trainer(Small(2), new TrainerOptions { Observer = second }).Run();

        Assert.Equal(first.Steps, second.Steps);
        Assert.Equal(a.Metrics, b.Metrics);
        Assert.Equal(first.Images.Select(i => i.Png), second.Images.Select(i => i.Png));
    }

    [Fact]
    public void Two_epochs_equal_one_epoch_and_a_resumed_one()
    {
        var straight = new RecordingObserver();
        var resumed = new RecordingObserver();
        var directory = Path.Combine(folder, "resumed");

        var expected = new Trainer(Small(2), new TrainerOptions { Observer = straight, CheckpointDirectory = Path.Combine(folder, "straight") }).Run();
        var first = new Trainer(Small(1), new TrainerOptions { CheckpointDirectory = directory }).Run();
        var state = Checkpoint.TryReadState(directory);
        var actual = new Trainer(Small(2), new TrainerOptions { Observer = resumed, CheckpointDirectory = directory }).Run();

        Assert.Equal((0, 1), (first.ResumedFromEpoch, first.Epochs));
        Assert.Equal((1, first.Steps), (state?.Epoch, state?.Step));
        Assert.Equal((1, 2, expected.Steps), (actual.ResumedFromEpoch, actual.Epochs, actual.Steps));
        Assert.Equal(straight.Steps.Where(s => s.Epoch == 2), resumed.Steps);
        Assert.Equal(expected.Metrics, actual.Metrics);
        // The resumed epoch's pictures are the straight run's, at the same global step.
        var secondEpochEnd = straight.Evaluations[1].Step;
        Assert.Equal(secondEpochEnd, Assert.Single(resumed.Evaluations).Step);
        Assert.Equal(straight.Images.Where(i => i.Step == secondEpochEnd).Select(i => (i.Key, i.Png)), resumed.Images.Select(i => (i.Key, i.Png)));
        Assert.All(resumed.Images, i => Assert.Equal(secondEpochEnd, i.Step));
    }

    [Fact]
    public void Training_holds_no_more_tensors_epoch_after_epoch_and_frees_its_own()
    {
        var config = Small(3);
        var live = new List<long>();
        // TorchSharp's Conv2d constructor leaves one tensor of its initialisation alive: the
        // model alone accounts for a fixed number, which the run may leave and no more.
        var start = LiveTensors;
        VaeFactory.Create(config.Model, config.Loss, 1, 28).Dispose();
        var ofTheModel = LiveTensors - start;

        var before = LiveTensors;
        new Trainer(config, new TrainerOptions { Observer = new LiveTensorCounter(live), CheckpointDirectory = Path.Combine(folder, "live") }).Run();

        Assert.Equal(3, live.Count);
        Assert.All(live, count => Assert.Equal(live[0], count));
        Assert.Equal(ofTheModel, LiveTensors - before);
    }

    private static long LiveTensors => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    private sealed class LiveTensorCounter(List<long> live) : ITrainingObserver
    {
        public void OnCheckpoint(int epoch, string path) => live.Add(LiveTensors);
    }

    [Fact]
    public void A_checkpoint_keeps_non_finite_metrics_as_mlflow_writes_them_and_reads_them_back()
    {
        var config = Small(1);
        using var vae = VaeFactory.Create(config.Model, config.Loss, channels: 1, imageSize: 28);
        using var optimizer = Optimizers.Create(config.Train, vae.NetworkParameters());
        using var noise = new torch.Generator(7, torch.CPU);
        var directory = Path.Combine(folder, "non-finite");
        var metrics = new Dictionary<string, double> { [Metrics.Elbo] = double.NegativeInfinity, [Metrics.Kl] = double.PositiveInfinity, [Metrics.Mse] = double.NaN, [Metrics.ActiveUnits] = 3 };

        var path = Checkpoint.Save(directory, new Checkpoint.State(1, 10, metrics), vae, optimizer, null, noise);
        Checkpoint.Complete(directory, new Checkpoint.State(1, 10, new Dictionary<string, double>(metrics) { [Metrics.TestElbo] = double.NegativeInfinity }));

        // As protobuf's JSON mapping, which MLflow's REST API speaks, writes them (JSON numbers cannot hold them).
        var json = File.ReadAllText(Path.Combine(path, "state.json"));
        Assert.Contains($"\"{Metrics.Elbo}\":\"-Infinity\"", json);
        Assert.Contains($"\"{Metrics.Kl}\":\"Infinity\"", json);
        Assert.Contains($"\"{Metrics.Mse}\":\"NaN\"", json);
        var state = Checkpoint.TryReadState(directory)!;
        Assert.True(state.Completed);
        Assert.Equal(double.NegativeInfinity, state.Metrics[Metrics.Elbo]);
        Assert.Equal(double.PositiveInfinity, state.Metrics[Metrics.Kl]);
        Assert.True(double.IsNaN(state.Metrics[Metrics.Mse]));
        Assert.Equal(double.NegativeInfinity, state.Metrics[Metrics.TestElbo]);
        Assert.Equal(3, state.Metrics[Metrics.ActiveUnits]);
    }

    [Fact]
    public void A_finished_trial_resumes_to_its_last_metrics_without_training()
    {
        var directory = Path.Combine(folder, "finished");
        var done = new Trainer(Small(1), new TrainerOptions { CheckpointDirectory = directory }).Run();
        var observer = new RecordingObserver();

        var again = new Trainer(Small(1), new TrainerOptions { CheckpointDirectory = directory, Observer = observer }).Run();

        Assert.Empty(observer.Steps);
        Assert.Null(Checkpoint.TryReadState(Path.Combine(folder, "nowhere")));
        Assert.Equal((1, done.Steps), (again.ResumedFromEpoch, again.Steps));
        Assert.Equal(done.Metrics, again.Metrics);
    }

    [Fact]
    public void Steps_are_reported_every_log_every_steps_and_at_each_epochs_end()
    {
        var observer = new RecordingObserver();

        new Trainer(TestConfigs.Trial(epochs: 2, logEvery: 3), new TrainerOptions { Observer = observer }).Run();

        // 256 images in batches of 64: four steps per epoch.
        Assert.Equal([(3L, 1), (4L, 1), (6L, 2), (8L, 2)], observer.Steps.Select(s => (s.Step, s.Epoch)));
        Assert.Equal([0.375, 0.5, 0.75, 1.0], observer.Steps.Select(s => s.Progress));
        Assert.All(observer.Steps, s => Assert.True(double.IsFinite(s.Loss) && s.Loss > 0));
    }

    [Fact]
    public void Grids_are_pngs_of_the_configured_counts()
    {
        var observer = new RecordingObserver();

        var result = new Trainer(TestConfigs.Trial(), new TrainerOptions { Observer = observer }).Run();

        var samples = ImageResult.FromMemory(observer.Images.Single(i => i.Key == "samples").Png);
        // The prior's samples (std 1) and the same draws at the spec's 0.85, each under its own key.
        var tempered = observer.Images.Single(i => i.Key == "samples_tempered").Png;
        Assert.Equal((122, 122), Size(tempered));
        Assert.NotEqual(observer.Images.Single(i => i.Key == "samples").Png, tempered);
        var reconstructions = ImageResult.FromMemory(observer.Images.Single(i => i.Key == "reconstructions").Png);
        // 16 samples of 28x28 in 4 columns; 8 pairs in rows of 3 pairs, with 2 pixels between.
        Assert.Equal((122, 122), (samples.Width, samples.Height));
        Assert.Equal((6 * 30 + 2, 3 * 30 + 2), (reconstructions.Width, reconstructions.Height));
        Assert.Equal(
            [Metrics.ReconLogLikelihood, Metrics.Kl, Metrics.Elbo, Metrics.BitsPerDim, Metrics.DensityNatsPerDim, Metrics.Mse, Metrics.Sigma,
             Metrics.ElboSigmaStar, Metrics.ActiveUnits, Metrics.AggregateKl, Metrics.TestElbo, Metrics.TestBitsPerDim, Metrics.TestDensityNatsPerDim, Metrics.TestMse],
            result.Metrics.Keys);
    }

    [Fact]
    public void A_non_finite_loss_stops_training_with_the_step()
    {
        var directory = Path.Combine(folder, "diverged");
        var observer = new RecordingObserver();
        // Four steps per epoch, logged every 3: the loss is read at step 3, which finds step 1 non-finite.
        var config = TestConfigs.Trial(loss: TestConfigs.Loss(1e-30), logEvery: 3);

        var error = Assert.Throws<NonFiniteLossException>(() =>
            new Trainer(config, new TrainerOptions { CheckpointDirectory = directory, Observer = observer }).Run());

        Assert.StartsWith("non-finite loss at step 1 (epoch 1)", error.Message);
        Assert.Equal((1L, 1), (error.Step, error.Epoch));
        Assert.Empty(observer.Steps);
        Assert.False(Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any());
    }

    [Fact]
    public void The_test_split_and_the_proposal_comparison_are_evaluated_once_at_the_end()
    {
        var observer = new RecordingObserver();
        var directory = Path.Combine(folder, "final");
        var config = TestConfigs.Trial(epochs: 2, testIwaeSamples: 20, proposalComparison: true);

        // Paused after its first epoch, resumed to the end, then run again: evaluated at the end, once.
        new Trainer(config, new TrainerOptions { Observer = observer, CheckpointDirectory = directory, UntilEpoch = 1 }).Run();
        Assert.Empty(observer.Tests);
        var result = new Trainer(config, new TrainerOptions { Observer = observer, CheckpointDirectory = directory }).Run();
        var again = new Trainer(config, new TrainerOptions { Observer = observer, CheckpointDirectory = directory }).Run();

        var (testStep, test) = Assert.Single(observer.Tests);
        Assert.Equal([Metrics.TestElbo, Metrics.TestBitsPerDim, Metrics.TestDensityNatsPerDim, Metrics.TestMse, Metrics.TestIwae], test.Keys);
        Assert.True(test[Metrics.TestBitsPerDim] > 0);
        Assert.True(test[Metrics.TestIwae] > test[Metrics.TestElbo] - 1, $"IWAE(20) {test[Metrics.TestIwae]:F1} vs ELBO {test[Metrics.TestElbo]:F1}");
        var comparison = Assert.Single(observer.Comparisons);
        Assert.Equal([1, 10, 100], comparison.Ks);
        var figure = Assert.Single(observer.Images, i => i.Key == "proposal_comparison");
        // The last epoch's step: the test metrics and the figure sit beside that epoch's held-out metrics.
        var ends = observer.Evaluations.Select(e => e.Step).ToList();
        Assert.Equal([ends[^1], ends[^1]], new[] { testStep, figure.Step });
        Assert.Equal((1600, 450), Size(figure.Png));
        Assert.Equal(ends, observer.Images.Where(i => i.Key == "kl_per_dimension").Select(i => i.Step));
        Assert.Equal((800, 450), Size(observer.Images.First(i => i.Key == "kl_per_dimension").Png));
        Assert.Equal(test[Metrics.TestElbo], result.Metrics[Metrics.TestElbo]);
        Assert.Equal(result.Metrics, again.Metrics);
    }

    private static (int, int) Size(byte[] png)
    {
        var image = ImageResult.FromMemory(png);
        return (image.Width, image.Height);
    }

    [Fact]
    public void A_learned_sigma_converges_within_one_epoch()
    {
        // 9,000 images in batches of 64: 140 steps. Trained with the network's own optimiser
        // and starting at 1, sigma would still be above 0.8 here.
        var config = TestConfigs.Trial(data: TestConfigs.FashionMnist(10_000, 500), loss: TestConfigs.Loss(mode: SigmaMode.Learned), lr: 1e-3);

        var metrics = new Trainer(config).Run().Metrics;

        var optimum = Math.Sqrt(metrics[Metrics.Mse]);
        var sigma = metrics[Metrics.Sigma];
        Assert.True(Math.Abs(sigma - optimum) < 0.2 * optimum, $"learned sigma {sigma:F4}, sqrt(held-out MSE) {optimum:F4}");
    }

    [Fact]
    public void Warm_up_and_free_bits_change_the_training_not_the_reported_elbo()
    {
        var directory = Path.Combine(folder, "warm");
        var config = TestConfigs.Trial(loss: TestConfigs.Loss(warmupEpochs: 2, freeBits: 0.5), epochs: 1, logEvery: 1);
        var observer = new RecordingObserver();

        var metrics = new Trainer(config, new TrainerOptions { CheckpointDirectory = directory, Observer = observer }).Run().Metrics;
        var plain = new RecordingObserver();
        new Trainer(TestConfigs.Trial(epochs: 1, logEvery: 1), new TrainerOptions { Observer = plain }).Run();

        // The first step: same weights, batch and noise; warm-up weighs its KL by 0.
        Assert.True(observer.Steps[0].Loss < plain.Steps[0].Loss, $"warm {observer.Steps[0].Loss:F2} vs plain {plain.Steps[0].Loss:F2}");

        // The reported ELBO is the model's unweighted ELBO: the same as evaluating its checkpoint
        // with no loss settings at all.
        using var vae = VaeFactory.Create(config.Model, TestConfigs.Loss(), 1, 28);
        vae.load(Path.Combine(observer.Checkpoints[^1].Path, "model.bin"));
        using var data = Datasets.Load(config.Data, config.Seed);
        using var generator = new TorchSharp.torch.Generator(Trainer.EvaluationSeed(config.Seed, 1));
        var fresh = Evaluator.Evaluate(vae, data.Validation, config.Eval.BatchSize, config.Eval.IwaeSamples, generator).Metrics;
        Assert.Equal(fresh[Metrics.Elbo], metrics[Metrics.Elbo]);
        Assert.Equal(metrics[Metrics.ReconLogLikelihood] - metrics[Metrics.Kl], metrics[Metrics.Elbo], 1e-9);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
