namespace Exp.Bench;

/// <summary>
/// Peak RSS of `exp train` (exp's defaults) over 30 epochs: the peak up to the end of epoch 2
/// against the peak up to the end of epoch 30. Flat memory means the ratio stays near 1.
/// </summary>
public static class MemoryGrowth
{
    public const int Epochs = 30;
    public const int TrainImages = 2_560;

    public sealed record Measure(double PeakAtEpoch2MiB, double PeakAtEpoch30MiB)
    {
        public double Ratio => PeakAtEpoch30MiB / PeakAtEpoch2MiB;
    }

    public static IReadOnlyList<Measure> Run(BenchContext context, Action<string> progress)
    {
        var measures = new List<Measure>();
        for (var round = 0; round < context.Rounds; round++)
        {
            var folder = context.NewRunFolder("rss");
            var run = ProcessProbe.Run(context.Exp, TrainingComparison.TrainArguments(context, Epochs, TrainImages), folder,
                BenchContext.CleanEnvironment(), progress: () => StepTiming.EpochsDone(folder));
            // The last sample taken while k-1 epochs were recorded is the peak up to the end of epoch k.
            var measure = new Measure(run.PeakRssAt[1], run.PeakRssAt[Epochs - 1]);
            measures.Add(measure);
            progress(BenchContext.Invariant($"memory round {round + 1}/{context.Rounds}: {measure.PeakAtEpoch2MiB:F0} MiB at epoch 2, {measure.PeakAtEpoch30MiB:F0} MiB at epoch 30"));
        }
        return measures;
    }
}
