namespace Exp.Bench;

/// <summary>
/// The bare TorchSharp loop against `exp train` of the same model and data, untuned and with
/// exp's defaults, in interleaved rounds (the order rotates every round), so that each ratio
/// compares runs that met the same load on the machine.
/// </summary>
public static class TrainingComparison
{
    public const int TrainImages = 12_800;
    public const int BatchSize = 128;
    private const int Threads = 2;

    public enum Arm { Bare, ExpUntuned, Exp }

    public sealed record Measure(double ImagesPerSecond, double StartupSeconds, double TeardownSeconds, double PeakRssMiB, double LastLoss);

    public sealed record Result(IReadOnlyList<IReadOnlyDictionary<Arm, Measure>> Rounds)
    {
        /// <summary>bare images/s over exp's, both untuned: what the framework costs per step (1 = nothing).</summary>
        public double OverheadRatio => Statistics.Median(Rounds.Select(r => r[Arm.Bare].ImagesPerSecond / r[Arm.ExpUntuned].ImagesPerSecond));

        /// <summary>exp with its defaults (malloc tuned) over the bare loop as it comes.</summary>
        public double SpeedupVsBare => Statistics.Median(Rounds.Select(r => r[Arm.Exp].ImagesPerSecond / r[Arm.Bare].ImagesPerSecond));

        public double RssTunedOverUntuned => Statistics.Median(Rounds.Select(r => r[Arm.Exp].PeakRssMiB / r[Arm.ExpUntuned].PeakRssMiB));

        public double Median(Arm arm, Func<Measure, double> figure) => Statistics.Median(Rounds.Select(r => figure(r[arm])));
    }

    public static Result Run(BenchContext context, Action<string> progress)
    {
        var bare = new BareSettings(TrainImages, 500, Epochs: 1, BatchSize, LearningRate: 1e-3, NoiseSigma: 0.1, KlWeight: 1.0,
            LogEvery: 10, Threads, Seed: 0);
        var rounds = new List<IReadOnlyDictionary<Arm, Measure>>();
        for (var round = 0; round < context.Rounds; round++)
        {
            var measures = new Dictionary<Arm, Measure>();
            foreach (var arm in Statistics.Rotated([Arm.Bare, Arm.ExpUntuned, Arm.Exp], round))
            {
                measures[arm] = arm == Arm.Bare ? RunBare(context, bare) : RunExp(context, tuned: arm == Arm.Exp);
                progress(BenchContext.Invariant($"training round {round + 1}/{context.Rounds} {arm}: {measures[arm].ImagesPerSecond:F0} images/s, peak RSS {measures[arm].PeakRssMiB:F0} MiB"));
            }
            rounds.Add(measures);
        }
        return new Result(rounds);
    }

    private static Measure RunBare(BenchContext context, BareSettings settings)
    {
        var bench = Environment.ProcessPath!;
        var folder = context.NewRunFolder("bare");
        var run = ProcessProbe.Run(bench, settings.ToArguments(), folder, BenchContext.CleanEnvironment());
        var timing = StepTiming.FromBareOutput(run.Output, BatchSize);
        return new Measure(timing.ImagesPerSecond, timing.StartupSeconds(run.StartMs), timing.TeardownSeconds(run.EndMs), run.PeakRssMiB, timing.LastLoss);
    }

    private static Measure RunExp(BenchContext context, bool tuned)
    {
        var folder = context.NewRunFolder(tuned ? "exp" : "exp-untuned");
        var run = ProcessProbe.Run(context.Exp, [.. TrainArguments(context, epochs: 1, TrainImages), "--threads", Threads.ToString()], folder,
            BenchContext.CleanEnvironment(("EXP_MALLOC_TUNING", tuned ? null : "off")));
        var timing = StepTiming.FromRuns(folder, BatchSize).Single();
        return new Measure(timing.ImagesPerSecond, timing.StartupSeconds(run.StartMs), timing.TeardownSeconds(run.EndMs), run.PeakRssMiB, timing.LastLoss);
    }

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
