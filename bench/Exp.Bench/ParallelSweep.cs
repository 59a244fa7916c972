namespace Exp.Bench;

/// <summary>
/// The main example's sweep (`exp run`, a process per trial) at --parallel 1 and 2, in
/// interleaved rounds. What a trial costs beyond its training steps (process start, data, model,
/// evaluation, pictures, checkpoint, run bookkeeping, the sweep's share) comes from the
/// one-at-a-time sweeps: their wall time less every trial's steps, per trial.
/// </summary>
public static class ParallelSweep
{
    /// <summary>The main example's sweep: five KL weights.</summary>
    public const int Trials = 5;
    public const int TrainImages = 3_840;

    public sealed record Round(double Parallel1Seconds, double Parallel2Seconds, double PerTrialProcessSeconds)
    {
        public double Speedup => Parallel1Seconds / Parallel2Seconds;
    }

    public static IReadOnlyList<Round> Run(BenchContext context, Action<string> progress)
    {
        var rounds = new List<Round>();
        for (var round = 0; round < context.Rounds; round++)
        {
            var seconds = new Dictionary<int, double>();
            double perTrial = 0;
            foreach (var parallel in Statistics.Rotated([1, 2], round))
            {
                var folder = context.NewRunFolder($"sweep-j{parallel}");
                var run = ProcessProbe.Run(context.Exp,
                    ["run", context.Spec, .. TrainingComparison.Overrides(1, TrainImages), "--parallel", parallel.ToString()],
                    folder, BenchContext.CleanEnvironment());
                seconds[parallel] = run.Seconds;
                var trials = StepTiming.FromRuns(folder, TrainingComparison.BatchSize);
                if (trials.Count != Trials)
                    throw new InvalidOperationException($"the sweep in {folder} trained {trials.Count} trials, not {Trials}");
                if (parallel == 1)
                    perTrial = (run.Seconds - trials.Sum(t => t.TrainingSeconds)) / Trials;
                progress(BenchContext.Invariant($"sweep round {round + 1}/{context.Rounds} --parallel {parallel}: {run.Seconds:F1} s"));
            }
            rounds.Add(new Round(seconds[1], seconds[2], perTrial));
        }
        return rounds;
    }
}
