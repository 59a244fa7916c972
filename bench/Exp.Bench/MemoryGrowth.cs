namespace Exp.Bench;

/// <summary>
/// Peak RSS of `exp train` (exp's defaults) over 30 epochs: the peak up to the end of epoch 2
/// against the peak up to the end of epoch 30. Flat memory means the ratio stays near 1.
/// </summary>
/// <remarks>
/// An epoch is 10,240 images (72 steps of 128 after the validation split): with much shorter
/// epochs, epoch 2 ends before the process is warm (the first gen-0 collections, the JIT's
/// optimised code), and the ratio measures that warm-up rather than a creep over a long run.
/// </remarks>
public static class MemoryGrowth
{
    public const int Epochs = 30;
    public const int TrainImages = 10_240;

    public sealed record Measure(double PeakAtEpoch2MiB, double PeakAtEpoch30MiB)
    {
        public double Ratio => PeakAtEpoch30MiB / PeakAtEpoch2MiB;
    }

    /// <param name="sideBySide">
    /// Runs the rounds at the same time. Peak RSS does not depend on speed, so on a machine shared
    /// with others this gets the rounds their share of the cores without changing the figure; on an
    /// idle machine, run them one after another (the default).
    /// </param>
    public static IReadOnlyList<Measure> Run(BenchContext context, bool sideBySide, Action<string> progress)
    {
        Measure Round(int round)
        {
            var folder = context.NewRunFolder("rss");
            var run = ProcessProbe.Run(context.Exp, TrainingComparison.TrainArguments(context, Epochs, TrainImages), folder,
                BenchContext.CleanEnvironment(), progress: () => StepTiming.EpochsDone(folder));
            // The last sample taken while k-1 epochs were recorded is the peak up to the end of epoch k.
            var measure = new Measure(run.PeakRssAt[1], run.PeakRssAt[Epochs - 1]);
            progress(BenchContext.Invariant($"memory round {round + 1}/{context.Rounds}: {measure.PeakAtEpoch2MiB:F0} MiB at epoch 2, {measure.PeakAtEpoch30MiB:F0} MiB at epoch 30"));
            return measure;
        }
        return sideBySide
            ? Enumerable.Range(0, context.Rounds).AsParallel().WithDegreeOfParallelism(context.Rounds).Select(Round).ToList()
            : Enumerable.Range(0, context.Rounds).Select(Round).ToList();
    }
}
