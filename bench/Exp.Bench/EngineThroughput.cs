// Training throughput of the engine's real trainer in this process, in images per second:
//   dotnet run -c Release --project bench/Exp.Bench -- throughput kl-sweep [threads] [train images]
//   dotnet run -c Release --project bench/Exp.Bench -- throughput notes [threads] [train images] [--no-numerics-check]
// kl-sweep: the kl-sweep model (conv [32, 64], kernel 4, latent 16, batch 128) on Fashion-MNIST.
// notes: the notes' architecture on 128x128 RGB images, from a folder of synthetic PNGs.
using System.Diagnostics;
using Exp.Engine.Data;
using Exp.Engine.Native;
using Exp.Engine.Training;
using Exp.Spec;

namespace Exp.Bench;

public static class EngineThroughput
{
    public static int Run(string[] args)
    {
        var which = args.ElementAtOrDefault(0) ?? "kl-sweep";
        int? threads = args.Length > 1 ? int.Parse(args[1]) : null;
        int? trainImages = args.Length > 2 ? int.Parse(args[2]) : null;
        // The roofline part times steps only and skips the check (half a minute for the notes' model).
        var numericsCheck = !args.Contains("--no-numerics-check");
        var (config, warmup) = which switch
        {
            "kl-sweep" => (KlSweep(trainImages ?? 20_000, 128, numericsCheck), 10),
            "notes" => (Notes(trainImages ?? 640, numericsCheck), 2),
            _ => throw new ArgumentException($"unknown benchmark {which}; kl-sweep or notes"),
        };

        var clock = new StepClock(warmup);
        var check = TimeSpan.Zero;
        CpuKernels.Choice? kernels = null;
        new Trainer(config, new TrainerOptions { Observer = clock, Threads = threads, KernelsChosen = chosen => kernels = chosen, NumericsChecked = report => check = report.Elapsed }).Run();
        var images = (clock.Steps - warmup) * config.Train.BatchSize;
        Console.WriteLine($"{which}: {images / clock.Elapsed.TotalSeconds:F0} images/s ({images} images in {clock.Elapsed.TotalSeconds:F1} s after {warmup} warm-up steps, " +
            $"{threads?.ToString() ?? "default"} threads, device {config.Train.Device})");
        // For the kernels part of the benchmark, which runs this verb as a child process.
        Console.WriteLine(BenchContext.Invariant(
            $"{KernelChoice.ResultPrefix}images_per_s={images / clock.Elapsed.TotalSeconds} images_per_cpu_s={images / clock.CpuTime.TotalSeconds} numerics_check_s={check.TotalSeconds} kernels={kernels!.Tag}"));
        return 0;
    }

    private static readonly EvalConfig Eval = new(0, 0.85, 0, 0, 256, 0, false, [1], 1, 2);

    /// <summary>The kl-sweep model (conv [32, 64], kernel 4, latent 16) on Fashion-MNIST, as experiments/kl-sweep.yaml trains it.</summary>
    public static TrialConfig KlSweep(int trainImages, int batchSize, bool numericsCheck = true) => new(0,
        new DataConfig(DatasetKind.FashionMnist, DataDefaults.FashionMnistPath, 28, 1, trainImages, 256, 0.1),
        new ModelConfig(Architecture.Conv, [32, 64], 4, false, Activation.Relu, 16, Upsample.Transposed, OutputActivation.Sigmoid),
        new LossConfig(Reconstruction.Gaussian, 0.1, SigmaMode.Fixed, 1e-3, KlMode.Fraction, 0, 0),
        new TrainConfig(1, batchSize, OptimizerKind.Adam, 1e-3, 0, "auto", 1, numericsCheck), Eval);

    /// <summary>The notes' architecture on 128x128 RGB images (synthetic shapes), batch 64.</summary>
    public static TrialConfig Notes(int trainImages, bool numericsCheck = true) => new(0,
        new DataConfig(DatasetKind.ImageFolder, SyntheticFolder(trainImages, 128), 128, 3, null, 64, 0.1),
        new ModelConfig(Architecture.Conv, [32, 64, 64, 64], 3, true, Activation.LeakyRelu, 1024, Upsample.Nearest, OutputActivation.Linear),
        new LossConfig(Reconstruction.Mse, 1.5678, SigmaMode.Fixed, 1e-4, KlMode.Fraction, 0, 0),
        new TrainConfig(1, 64, OptimizerKind.Adam, 3e-4, 0, "auto", 1, numericsCheck), Eval);

    /// <summary>Writes PNGs of synthetic shapes, as a stand-in for a folder of face photos.</summary>
    private static string SyntheticFolder(int count, int size)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"exp-bench-shapes-{count}-{size}");
        if (Directory.Exists(folder) && Directory.GetFiles(folder).Length == count)
            return folder;
        Directory.CreateDirectory(folder);
        using var shapes = SyntheticShapes.Draw(count, size, 3, seed: 1);
        using var pixels = shapes.mul(255).round().to_type(TorchSharp.torch.ScalarType.Byte).permute(0, 2, 3, 1).contiguous();
        var bytes = pixels.bytes.ToArray();
        for (var i = 0; i < count; i++)
        {
            using var file = File.Create(Path.Combine(folder, $"{i:D5}.png"));
            new StbImageWriteSharp.ImageWriter().WritePng(bytes.AsSpan(i * size * size * 3, size * size * 3).ToArray(), size, size,
                StbImageWriteSharp.ColorComponents.RedGreenBlue, file);
        }
        return folder;
    }

    /// <summary>Times the training steps after the warm-up ones (first allocations, thread pool start).</summary>
    private sealed class StepClock(int warmup) : ITrainingObserver
    {
        private readonly Stopwatch watch = new();
        private TimeSpan cpuAtStart;
        public long Steps { get; private set; }
        public TimeSpan Elapsed => watch.Elapsed;

        /// <summary>The CPU time the process used over the same steps: robust to other load on the machine.</summary>
        public TimeSpan CpuTime { get; private set; }

        public void OnStep(TrainingStep step)
        {
            Steps = step.Step;
            if (step.Step == warmup)
            {
                cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
                watch.Start();
            }
            if (step.Progress >= 1)
            {
                watch.Stop();
                CpuTime = Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart;
            }
        }
    }
}
