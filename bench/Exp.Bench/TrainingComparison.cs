using Exp.Engine.Native;

namespace Exp.Bench;

/// <summary>
/// The bare TorchSharp loop against `exp train` of the same model and data, each with glibc
/// malloc as it comes and with exp's malloc tuning, in interleaved rounds (the order rotates
/// every round), so that each ratio compares runs that met the same load on the machine.
/// </summary>
public static class TrainingComparison
{
    public const int DefaultTrainImages = 25_600;
    public const int BatchSize = 128;

    /// <summary>The compared runs: the bare loop and `exp train`, each untuned and tuned (the bare loop through GLIBC_TUNABLES, exp by its default).</summary>
    public enum Arm { Bare, BareTuned, ExpUntuned, Exp }

    /// <param name="ImagesPerCpuSecond">Images per second of CPU the process used: robust to other load on the machine.</param>
    public sealed record Measure(double ImagesPerSecond, double ImagesPerCpuSecond, double StartupSeconds, double TeardownSeconds, double PeakRssMiB, double LastLoss);

    /// <param name="SharedMachine">The arms of a round ran at the same time, one torch thread each, and are compared by CPU time.</param>
    public sealed record Result(IReadOnlyList<IReadOnlyDictionary<Arm, Measure>> Rounds, bool SharedMachine, int Threads, int TrainImages)
    {
        private Func<Measure, double> Speed => SharedMachine ? m => m.ImagesPerCpuSecond : m => m.ImagesPerSecond;

        /// <summary>What the ratios compare: images per second of wall time, or per second of CPU time.</summary>
        public string Basis => SharedMachine ? "images per CPU-second" : "images per second";

        /// <summary>bare speed over exp's, both with malloc tuned (as users run exp): what the framework costs per step (1 = nothing).</summary>
        public double OverheadRatio => Statistics.Median(Rounds.Select(r => Speed(r[Arm.BareTuned]) / Speed(r[Arm.Exp])));

        /// <summary>The same with malloc untuned in both: the framework's cost when glibc refaults every step's buffers.</summary>
        public double OverheadRatioUntuned => Statistics.Median(Rounds.Select(r => Speed(r[Arm.Bare]) / Speed(r[Arm.ExpUntuned])));

        /// <summary>exp with its defaults (malloc tuned) over the bare loop as it comes.</summary>
        public double SpeedupVsBare => Statistics.Median(Rounds.Select(r => Speed(r[Arm.Exp]) / Speed(r[Arm.Bare])));

        /// <summary>The same ratios by the other measure (wall time when CPU time is the basis, and the reverse).</summary>
        public double OverheadRatioOther => Statistics.Median(Rounds.Select(r => Other(r[Arm.BareTuned]) / Other(r[Arm.Exp])));

        public double SpeedupVsBareOther => Statistics.Median(Rounds.Select(r => Other(r[Arm.Exp]) / Other(r[Arm.Bare])));

        private double Other(Measure m) => SharedMachine ? m.ImagesPerSecond : m.ImagesPerCpuSecond;

        public double RssTunedOverUntuned => Statistics.Median(Rounds.Select(r => r[Arm.Exp].PeakRssMiB / r[Arm.ExpUntuned].PeakRssMiB));

        public double Median(Arm arm, Func<Measure, double> figure) => Statistics.Median(Rounds.Select(r => figure(r[arm])));
    }

    /// <param name="sharedMachine">
    /// For a machine busy with other work: the three arms of a round run at the same time (each gets
    /// the scheduler's share), OpenMP threads wait passively (OMP_WAIT_POLICY=passive: no CPU burnt
    /// spinning while the cores are oversubscribed), and the arms are compared by the CPU time they
    /// used over the same steps. Two torch threads, as on an idle machine: with one, glibc serves
    /// everything from its main arena and the malloc tuning has little to do.
    /// </param>
    public static Result Run(BenchContext context, bool sharedMachine, int trainImages, Action<string> progress)
    {
        const int threads = 2;
        (string, string?)[] openMp = sharedMachine ? [("OMP_WAIT_POLICY", "PASSIVE")] : [];
        var bare = new BareSettings(trainImages, 500, Epochs: 1, BatchSize, LearningRate: 1e-3, NoiseSigma: 0.1, KlWeight: 1.0,
            LogEvery: 10, threads, Seed: 0);
        var rounds = new List<IReadOnlyDictionary<Arm, Measure>>();
        for (var round = 0; round < context.Rounds; round++)
        {
            var order = Statistics.Rotated(Enum.GetValues<Arm>(), round).ToList();
            Measure Measure(Arm arm) => arm switch
            {
                Arm.Bare => RunBare(context, bare, openMp),
                Arm.BareTuned => RunBare(context, bare, [.. openMp, ("GLIBC_TUNABLES", GlibcTunables)]),
                _ => RunExp(context, tuned: arm == Arm.Exp, threads, trainImages, openMp),
            };
            var measures = sharedMachine
                ? order.AsParallel().WithDegreeOfParallelism(order.Count).Select(arm => (arm, Measure(arm))).ToDictionary()
                : order.Select(arm => (arm, Measure(arm))).ToDictionary();
            foreach (var arm in order)
                progress(BenchContext.Invariant($"training round {round + 1}/{context.Rounds} {arm}: {measures[arm].ImagesPerSecond:F0} images/s, {measures[arm].ImagesPerCpuSecond:F0} images/CPU-s, peak RSS {measures[arm].PeakRssMiB:F0} MiB, last loss {measures[arm].LastLoss:F2}"));
            rounds.Add(measures);
        }
        return new Result(rounds, sharedMachine, threads, trainImages);
    }

    /// <summary>exp's malloc tuning, as a user of a bare loop would set it for a process: the same thresholds through glibc's tunables.</summary>
    private static string GlibcTunables => BenchContext.Invariant(
        $"glibc.malloc.mmap_threshold={MallocTuning.MmapThreshold}:glibc.malloc.trim_threshold={MallocTuning.TrimThreshold}");

    private static Measure RunBare(BenchContext context, BareSettings settings, (string, string?)[] environment)
    {
        var bench = Environment.ProcessPath!;
        var folder = context.NewRunFolder(environment.Any(e => e.Item1 == "GLIBC_TUNABLES") ? "bare-tuned" : "bare");
        var run = ProcessProbe.Run(bench, settings.ToArguments(), folder, BenchContext.CleanEnvironment(environment));
        return Measured(StepTiming.FromBareOutput(run.Output, BatchSize), run);
    }

    private static Measure RunExp(BenchContext context, bool tuned, int threads, int trainImages, (string, string?)[] environment)
    {
        var folder = context.NewRunFolder(tuned ? "exp" : "exp-untuned");
        var run = ProcessProbe.Run(context.Exp, [.. TrainArguments(context, epochs: 1, trainImages), "--threads", threads.ToString()], folder,
            BenchContext.CleanEnvironment([.. environment, ("EXP_MALLOC_TUNING", tuned ? null : "off")]));
        return Measured(StepTiming.FromRuns(folder, BatchSize).Single(), run);
    }

    private static Measure Measured(StepTiming timing, ProcessRun run) => new(timing.ImagesPerSecond, timing.ImagesPerCpuSecond(run.CpuSamples),
        timing.StartupSeconds(run.StartMs), timing.TeardownSeconds(run.EndMs), run.PeakRssMiB, timing.LastLoss);

    /// <summary>`exp train` of the main example's base trial, sized for the benchmark; the same settings as the bare loop.</summary>
    public static IEnumerable<string> TrainArguments(BenchContext context, int epochs, int trainImages) =>
        ["train", context.Spec, .. Overrides(epochs, trainImages)];

    public static IEnumerable<string> Overrides(int epochs, int trainImages) =>
    [
        "experiment=bench", $"train.epochs={epochs}", $"data.train_limit={trainImages}", "data.test_limit=500",
        "eval.iwae_samples=0", "eval.test_iwae_samples=0", "eval.proposal_comparison=false", "eval.sample_count=16",
        "eval.reconstruction_count=8", "train.log_every=10",
    ];
}
