using Exp.Engine.Data;
using Exp.Engine.Images;
using Exp.Engine.Models;
using Exp.Engine.Native;
using Exp.Engine.Numerics;
using Exp.Engine.Objective;
using Exp.Spec;
using TorchSharp;
using static TorchSharp.torch;

namespace Exp.Engine.Training;

/// <summary>
/// Trains one trial: loads its data onto the device, builds its model, and runs epochs of
/// shuffled batches, then after each epoch evaluates on the validation split, draws the pictures
/// and writes a checkpoint. After the last epoch it evaluates the test split and, when asked,
/// compares the proposals. Same config, seed and device give the same numbers, also across a
/// resume. Throws <see cref="NonFiniteLossException"/> when the loss stops being a number: the
/// loss is read from the device once per <c>train.log_every</c> steps (and at each epoch's end),
/// after the optimiser step, and the exception names the first step whose loss was not finite.
/// Before the first step it settles the CPU's convolution kernels (<see cref="CpuKernels"/>) and,
/// unless <c>train.numerics_check: false</c>, checks the model in float32 against float64
/// (<see cref="NumericsCheck"/>); both throw <see cref="WrongNumericsException"/> rather than train on wrong numbers.
/// </summary>
/// <remarks>
/// All of a trial's torch work (loading the data, training, evaluating) happens on the thread that
/// calls <see cref="Run"/>, by design: libtorch's OpenMP keeps one team of worker threads per
/// calling thread, and a loop that ran on another thread than the one that loaded the data
/// measured 15-27% slower here. Callers give <see cref="Run"/> a thread of its own and touch no
/// tensors of the trial elsewhere.
/// </remarks>
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
        Vae Build() => VaeFactory.Create(config.Model, config.Loss, data.Channels, data.ImageSize);
        // Before the first convolution; the model's own are probed (on the CPU, float64 beside) only where the fixed probe finds oneDNN wrong.
        var kernels = CpuKernels.EnsureCorrect(device.type == DeviceType.CPU ? NumericsCheck.Convolutions(vae, Build, config.Seed) : null);
        options.KernelsChosen?.Invoke(kernels);
        vae.to(device);
        using var optimizer = Optimizers.Create(config.Train, vae.NetworkParameters());
        var learnedSigma = config.Loss.Sigma == SigmaMode.Learned;
        using var sigmaOptimizer = learnedSigma ? LearnedSigma.CreateOptimizer(vae) : null;
        if (learnedSigma)
            LearnedSigma.InitialiseFromData(vae, data.Train);
        using var noise = new Generator((ulong)config.Seed, device);
        var objective = new TrainingObjective(config.Loss);

        var checkpoints = options.CheckpointDirectory;
        var resumed = checkpoints is null ? null : Checkpoint.TryLoad(checkpoints, vae, optimizer, sigmaOptimizer, noise);
        var (epoch, step) = resumed is null ? (0, 0L) : (resumed.Epoch, resumed.Step);
        var metrics = resumed?.Metrics ?? [];
        if (config.Train.NumericsCheck)
        {
            var report = NumericsCheck.Run(vae, Build, objective, data.Train, config.Train.BatchSize, config.Seed);
            options.NumericsChecked?.Invoke(report);
        }

        var count = data.Train.shape[0];
        var batchSize = Math.Min(config.Train.BatchSize, count);
        // The last incomplete batch of an epoch is dropped; the next epoch's shuffle gives its images their turn.
        var stepsPerEpoch = count / batchSize;
        var totalSteps = (double)stepsPerEpoch * config.Train.Epochs;
        var logEvery = Math.Max(1, config.Train.LogEvery);

        var lastEpoch = Math.Min(config.Train.Epochs, options.UntilEpoch ?? int.MaxValue);
        // The losses since the last logged step stay on the device, so a step never waits for it
        // (reading a GPU value is a sync that leaves the GPU idle): one read per log_every steps.
        using var losses = new LossWindow((int)Math.Min(logEvery, stepsPerEpoch), device);
        while (epoch < lastEpoch)
        {
            vae.train();
            using var order = tensor(Shuffle.Permutation(count, config.Seed, epoch), device: device);
            for (long b = 0; b < stepsPerEpoch; b++)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var x = data.Train.index_select(0, order.narrow(0, b * batchSize, batchSize));
                var loss = objective.Loss(vae, x, noise, TrainingObjective.WarmupFactor(config.Loss, step, stepsPerEpoch));
                optimizer.zero_grad();
                sigmaOptimizer?.zero_grad();
                loss.backward();
                optimizer.step();
                if (sigmaOptimizer is not null)
                {
                    sigmaOptimizer.step();
                    vae.SetLogSigma(vae.LogSigma);
                }
                losses.Add(loss);
                step++;

                // Every epoch's last step is read, so a checkpoint never holds a model updated with a non-finite loss.
                if (step % logEvery == 0 || b == stepsPerEpoch - 1)
                {
                    var (value, firstNonFinite) = losses.Read();
                    if (firstNonFinite is { } offset)
                        throw new NonFiniteLossException(step - losses.Count + offset + 1, epoch + 1, losses.Value(offset));
                    losses.Clear();
                    observer.OnStep(new TrainingStep(step, epoch + 1, value, step / totalSteps));
                }
            }
            epoch++;

            using var evaluation = new Generator(EvaluationSeed(config.Seed, epoch), device);
            var evaluated = Evaluator.Evaluate(vae, data.Validation, config.Eval.BatchSize, config.Eval.IwaeSamples, evaluation);
            metrics = evaluated.Metrics;
            observer.OnEpochEvaluated(epoch, step, metrics);
            DrawPictures(vae, data.Validation, step, evaluation, observer);
            observer.OnImage(ImageKeys.KlPerDimension, step, Charts.KlPerDimension(evaluated.KlPerDimension, epoch, metrics[Metrics.ActiveUnits]));

            if (checkpoints is not null)
            {
                var path = Checkpoint.Save(checkpoints, new Checkpoint.State(epoch, step, metrics), vae, optimizer, sigmaOptimizer, noise);
                observer.OnCheckpoint(epoch, path);
            }
            MallocTuning.ReleaseFreeMemory();
        }

        // Once the last epoch is done (not after a partial run that stops early), unless a
        // resumed checkpoint of the last epoch says the final evaluation was already logged.
        var finalEvaluationDone = resumed is { Completed: true } && resumed.Epoch == epoch;
        if (epoch == config.Train.Epochs && !finalEvaluationDone)
        {
            metrics = new Dictionary<string, double>(metrics);
            foreach (var (key, value) in EvaluateAtTheEnd(vae, data.Test, step, device, observer))
                metrics[key] = value;
            if (checkpoints is not null)
                Checkpoint.Complete(checkpoints, new Checkpoint.State(epoch, step, metrics));
        }

        return new TrainingResult(epoch, step, resumed?.Epoch ?? 0, metrics);
    }

    /// <summary>Once, after the last epoch (which ended at <paramref name="step"/>): the test split (test/*), and the proposal comparison when asked for.</summary>
    private Dictionary<string, double> EvaluateAtTheEnd(Vae vae, Tensor test, long step, Device device, ITrainingObserver observer)
    {
        var eval = config.Eval;
        using var generator = new Generator(EvaluationSeed(config.Seed, 0), device);
        var metrics = Evaluator.Test(vae, test, eval.BatchSize, eval.TestIwaeSamples, generator);
        observer.OnTestEvaluated(step, metrics);
        if (eval.ProposalComparison)
        {
            var count = (int)Math.Min(eval.ProposalImages, test.shape[0]);
            using var images = test.narrow(0, 0, count);
            var result = ProposalComparison.Run(vae, images, eval.ProposalK, eval.ProposalRepeats, generator);
            observer.OnProposalComparison(result);
            observer.OnImage(ImageKeys.ProposalComparison, step, Charts.ProposalComparison(result));
        }
        return metrics;
    }

    /// <summary>Evaluation draws its own noise per epoch (0: the final evaluation), so it never shifts the training's random stream.</summary>
    public static ulong EvaluationSeed(int seed, int epoch) => unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)epoch);

    /// <summary>Samples and reconstructions of the epoch that ended at <paramref name="step"/>.</summary>
    private void DrawPictures(Vae vae, Tensor heldOut, long step, Generator generator, ITrainingObserver observer)
    {
        var wasTraining = vae.training;
        vae.eval();
        using (no_grad())
        using (NewDisposeScope())
        {
            if (config.Eval.SampleCount > 0)
            {
                // The same draws at the prior's std 1 and at the spec's temperature, so the two grids show the same garments.
                var z = randn([config.Eval.SampleCount, vae.LatentDim], device: heldOut.device, generator: generator);
                observer.OnImage(ImageKeys.Samples, step, ImageGrid.Samples(vae.Decode(z)));
                if (config.Eval.SampleStd != 1)
                    observer.OnImage(ImageKeys.TemperedSamples, step, ImageGrid.Samples(vae.Decode(z * config.Eval.SampleStd)));
            }
            var shown = Math.Min(config.Eval.ReconstructionCount, heldOut.shape[0]);
            if (shown > 0)
            {
                var inputs = heldOut.narrow(0, 0, shown);
                observer.OnImage(ImageKeys.Reconstructions, step, ImageGrid.Pairs(inputs, vae.call(inputs)));
            }
        }
        vae.train(wasTraining);
    }
}
