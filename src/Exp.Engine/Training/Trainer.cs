using Exp.Engine.Data;
using Exp.Engine.Images;
using Exp.Engine.Models;
using Exp.Engine.Objective;
using Exp.Spec;
using TorchSharp;
using static TorchSharp.torch;

namespace Exp.Engine.Training;

/// <summary>
/// Trains one trial: loads its data onto the device, builds its model, and runs epochs of
/// shuffled batches, then after each epoch evaluates on held-out data, draws the pictures and
/// writes a checkpoint. Same config, seed and device give the same numbers, also across a
/// resume. Throws <see cref="NonFiniteLossException"/> when the loss stops being a number.
/// </summary>
public sealed class Trainer(TrialConfig config, TrainerOptions? options = null)
{
    private readonly TrainerOptions options = options ?? new TrainerOptions();

    public TrainingResult Run(CancellationToken cancellation = default)
    {
        if (options.Threads is { } threads)
            set_num_threads(threads);
        var device = Devices.Resolve(options.Device ?? config.Train.Device);
        var observer = options.Observer;

        using var data = Datasets.Load(config.Data, config.Seed).MoveTo(device);
        manual_seed(config.Seed);
        using var vae = VaeFactory.Create(config.Model, config.Loss, data.Channels, data.ImageSize);
        vae.to(device);
        using var optimizer = Optimizers.Create(config.Train, vae.parameters());
        using var noise = new Generator((ulong)config.Seed, device);
        var objective = new TrainingObjective(config.Loss);

        var checkpoints = options.CheckpointDirectory;
        var resumed = checkpoints is null ? null : Checkpoint.TryLoad(checkpoints, vae, optimizer, noise);
        var (epoch, step) = resumed is null ? (0, 0L) : (resumed.Epoch, resumed.Step);
        var metrics = resumed?.Metrics ?? [];

        var count = data.Train.shape[0];
        var batchSize = Math.Min(config.Train.BatchSize, count);
        // The last incomplete batch of an epoch is dropped; the next epoch's shuffle gives its images their turn.
        var stepsPerEpoch = count / batchSize;
        var totalSteps = (double)stepsPerEpoch * config.Train.Epochs;
        var logEvery = Math.Max(1, config.Train.LogEvery);

        var lastEpoch = Math.Min(config.Train.Epochs, options.UntilEpoch ?? int.MaxValue);
        while (epoch < lastEpoch)
        {
            vae.train();
            using var order = tensor(Shuffle.Permutation(count, config.Seed, epoch), device: device);
            for (long b = 0; b < stepsPerEpoch; b++)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var x = data.Train.index_select(0, order.narrow(0, b * batchSize, batchSize));
                var loss = objective.Loss(vae, x, noise);
                var value = loss.item<float>();
                if (!float.IsFinite(value))
                    throw new NonFiniteLossException(step + 1, epoch + 1, value);

                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                step++;

                if (step % logEvery == 0 || b == stepsPerEpoch - 1)
                    observer.OnStep(new TrainingStep(step, epoch + 1, value, step / totalSteps));
            }
            epoch++;

            using var evaluation = new Generator(EvaluationSeed(epoch), device);
            metrics = Evaluator.Evaluate(vae, data.Test, config.Eval, evaluation);
            observer.OnEpochEvaluated(epoch, metrics);
            DrawPictures(vae, data.Test, epoch, evaluation, observer);

            if (checkpoints is not null)
            {
                var path = Checkpoint.Save(checkpoints, new Checkpoint.State(epoch, step, metrics), vae, optimizer, noise);
                observer.OnCheckpoint(epoch, path);
            }
        }

        return new TrainingResult(epoch, step, resumed?.Epoch ?? 0, metrics);
    }

    /// <summary>Evaluation draws its own noise per epoch, so it never shifts the training's random stream.</summary>
    private ulong EvaluationSeed(int epoch) => unchecked((ulong)config.Seed * 0x9E3779B97F4A7C15UL + (ulong)epoch);

    private void DrawPictures(Vae vae, Tensor test, int epoch, Generator generator, ITrainingObserver observer)
    {
        var wasTraining = vae.training;
        vae.eval();
        using (no_grad())
        using (NewDisposeScope())
        {
            if (config.Eval.SampleCount > 0)
            {
                var z = randn([config.Eval.SampleCount, vae.LatentDim], device: test.device, generator: generator) * config.Eval.SampleStd;
                observer.OnImage("samples", epoch, ImageGrid.Samples(vae.Decode(z)));
            }
            var shown = Math.Min(config.Eval.ReconstructionCount, test.shape[0]);
            if (shown > 0)
            {
                var inputs = test.narrow(0, 0, shown);
                observer.OnImage("reconstructions", epoch, ImageGrid.Pairs(inputs, vae.call(inputs)));
            }
        }
        vae.train(wasTraining);
    }
}
