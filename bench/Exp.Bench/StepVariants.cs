// Ways to make the kl-sweep model's training step faster, each against today's step, side by side:
//   dotnet run -c Release --project bench/Exp.Bench -- step VARIANT [train images]
// prints images/s, images per CPU-second, where a default step's time goes, and the held-out ELBO
// after training (in float32, whatever precision trained it).
using System.Diagnostics;
using Exp.Engine.Data;
using Exp.Engine.Models;
using Exp.Engine.Native;
using Exp.Engine.Numerics;
using Exp.Engine.Objective;
using Exp.Engine.Training;
using Exp.Spec;
using TorchSharp;
using static TorchSharp.torch;

namespace Exp.Bench;

/// <summary>
/// The candidates of a faster step, each run as a child process (thread settings and oneDNN's
/// kernel caches are per process) in interleaved rounds whose order rotates. Every arm is the
/// trainer's step (<see cref="Trainer"/>: shuffled batch, <see cref="TrainingObjective"/>, Adam)
/// with one thing changed, so a ratio says what that change alone buys.
/// </summary>
public static class StepVariants
{
    public enum Variant
    {
        /// <summary>Today's step: float32, contiguous (NCHW) tensors, batch 128, 2 torch threads.</summary>
        Default,
        /// <summary>Images and convolution weights in channels-last (NHWC) strides, which oneDNN's convolutions prefer.</summary>
        ChannelsLast,
        /// <summary>The model, data and optimiser in bfloat16 (the CPU's AVX512-BF16 dot products); TorchSharp has no CPU autocast.</summary>
        Bf16,
        Batch64,
        Batch256,
        /// <summary>One torch thread: what a trial gets when two share the two cores (--parallel 2).</summary>
        Threads1,
        /// <summary>The noise of z drawn into one buffer in place, and gradients zeroed in place rather than freed and reallocated.</summary>
        ReusedBuffers,
        /// <summary>Two one-thread runs at once, their images/s summed: two trials of `--parallel 2` on two cores.</summary>
        TwoTrials,
    }

    public const string ResultPrefix = "step-bench: ";
    public const int TrainImages = 6_400;
    private const int WarmupSteps = 10;

    public sealed record Measure(double ImagesPerSecond, double ImagesPerCpuSecond, double Elbo, double ForwardMs, double BackwardMs, double OptimizerMs);

    public sealed record Result(IReadOnlyList<IReadOnlyDictionary<Variant, Measure>> Rounds)
    {
        /// <summary>The variant's speed over today's step, median over rounds (above 1: faster).</summary>
        public double SpeedOverDefault(Variant variant, Func<Measure, double> speed) =>
            Statistics.Median(Rounds.Select(r => speed(r[variant]) / speed(r[Variant.Default])));

        public double Median(Variant variant, Func<Measure, double> figure) => Statistics.Median(Rounds.Select(r => figure(r[variant])));
    }

    public static Result Run(BenchContext context, bool sharedMachine, Action<string> progress)
    {
        var rounds = new List<IReadOnlyDictionary<Variant, Measure>>();
        for (var round = 0; round < context.Rounds; round++)
        {
            var measures = new Dictionary<Variant, Measure>();
            foreach (var variant in Statistics.Rotated(Enum.GetValues<Variant>(), round))
            {
                measures[variant] = variant == Variant.TwoTrials
                    ? Sum(Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => RunChild(context, Variant.Threads1, sharedMachine)))).Result)
                    : RunChild(context, variant, sharedMachine);
                progress(BenchContext.Invariant($"step {variant} round {round + 1}/{context.Rounds}: {measures[variant].ImagesPerSecond:F0} images/s, {measures[variant].ImagesPerCpuSecond:F0} images/CPU-s, held-out ELBO {measures[variant].Elbo:F1}"));
            }
            rounds.Add(measures);
        }
        return new Result(rounds);
    }

    private static Measure RunChild(BenchContext context, Variant variant, bool sharedMachine)
    {
        var run = ProcessProbe.Run(Environment.ProcessPath!, ["step", variant.ToString(), TrainImages.ToString()],
            context.NewRunFolder($"step-{variant}"), BenchContext.CleanEnvironment(BenchContext.OpenMpWaits(sharedMachine)));
        var fields = ResultFields.Parse(run.Output, ResultPrefix);
        return new Measure(fields["images_per_s"], fields["images_per_cpu_s"], fields["elbo"], fields["forward_ms"], fields["backward_ms"], fields["optimizer_ms"]);
    }

    /// <summary>Two runs at once as one: images/s add up; per CPU-second and per step they average.</summary>
    private static Measure Sum(Measure[] runs) => new(runs.Sum(r => r.ImagesPerSecond), runs.Average(r => r.ImagesPerCpuSecond), runs.Average(r => r.Elbo),
        runs.Average(r => r.ForwardMs), runs.Average(r => r.BackwardMs), runs.Average(r => r.OptimizerMs));

    /// <summary>The <c>step</c> verb: trains the kl-sweep model for one pass over the images with the variant, in this process.</summary>
    public static int RunVerb(string[] args)
    {
        var variant = Enum.Parse<Variant>(args[0], ignoreCase: true);
        var trainImages = args.Length > 1 ? int.Parse(args[1]) : TrainImages;
        set_num_threads(variant == Variant.Threads1 ? 1 : 2);
        var batchSize = variant switch { Variant.Batch64 => 64, Variant.Batch256 => 256, _ => 128 };
        var config = EngineThroughput.KlSweep(trainImages, batchSize);

        // The model, its copies and the optimiser's state live until the verb returns.
        using var all = NewDisposeScope();
        using var data = Datasets.Load(config.Data, config.Seed);
        manual_seed(config.Seed);
        var vae = VaeFactory.Create(config.Model, config.Loss, data.Channels, data.ImageSize);
        CpuKernels.EnsureCorrect(NumericsCheck.Convolutions(vae, () => VaeFactory.Create(config.Model, config.Loss, data.Channels, data.ImageSize), config.Seed));
        var dtype = variant == Variant.Bf16 ? ScalarType.BFloat16 : ScalarType.Float32;
        vae.to(dtype);
        var train = data.Train.to(dtype);
        if (variant == Variant.ChannelsLast)
        {
            using var _ = no_grad();
            foreach (var weight in vae.parameters().Where(p => p.dim() == 4))
                weight.set_(ChannelsLast(weight));
        }
        using var optimizer = Optimizers.Create(config.Train, vae.NetworkParameters());
        using var noise = new Generator((ulong)config.Seed);
        var objective = new TrainingObjective(config.Loss);
        var eps = empty([batchSize, vae.LatentDim], dtype: dtype);

        var count = train.shape[0];
        var steps = count / batchSize;
        var order = tensor(Shuffle.Permutation(count, config.Seed, 0));
        var watch = new Stopwatch();
        var phases = new Stopwatch[] { new(), new(), new() };
        var cpuAtStart = TimeSpan.Zero;
        vae.train();
        for (long b = 0; b < steps; b++)
        {
            if (b == WarmupSteps)
            {
                cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
                watch.Start();
            }
            var timed = b >= WarmupSteps;
            using var scope = NewDisposeScope();
            var x = train.index_select(0, order.narrow(0, b * batchSize, batchSize));
            // A gathered batch comes out contiguous (NCHW); the weights' strides make the convolutions' outputs channels-last.
            if (variant == Variant.ChannelsLast)
                x = ChannelsLast(x);
            if (timed) phases[0].Start();
            var loss = variant == Variant.ReusedBuffers
                ? objective.Loss(vae, x, eps.normal_(generator: noise))
                : objective.Loss(vae, x, noise);
            if (timed) { phases[0].Stop(); phases[1].Start(); }
            if (variant == Variant.ReusedBuffers)
                ZeroInPlace(vae);
            else
                optimizer.zero_grad();
            loss.backward();
            if (timed) { phases[1].Stop(); phases[2].Start(); }
            optimizer.step();
            if (timed) phases[2].Stop();
        }
        watch.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart;
        var timedSteps = steps - WarmupSteps;
        var images = timedSteps * batchSize;

        // The held-out ELBO in float32, so the precision that trained it is all that differs.
        vae.to(ScalarType.Float32);
        using var evaluation = new Generator(Trainer.EvaluationSeed(config.Seed, 1));
        var elbo = Evaluator.Evaluate(vae, data.Validation, 256, 0, evaluation).Metrics[Metrics.Elbo];
        double Ms(Stopwatch phase) => phase.Elapsed.TotalMilliseconds / timedSteps;
        Console.WriteLine(BenchContext.Invariant(
            $"{ResultPrefix}images_per_s={images / watch.Elapsed.TotalSeconds} images_per_cpu_s={images / cpu.TotalSeconds} elbo={elbo} forward_ms={Ms(phases[0])} backward_ms={Ms(phases[1])} optimizer_ms={Ms(phases[2])}"));
        return 0;
    }

    private static void ZeroInPlace(Vae vae)
    {
        foreach (var parameter in vae.parameters())
            parameter.grad?.zero_();
    }

    /// <summary>The same values, with NHWC strides behind the NCHW shape: PyTorch's channels_last, which TorchSharp 0.107 does not name.</summary>
    private static Tensor ChannelsLast(Tensor t) => t.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
}
