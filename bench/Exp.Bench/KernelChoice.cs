using System.Globalization;
using Exp.Engine.Native;

namespace Exp.Bench;

/// <summary>
/// What the guard of the CPU convolutions (<see cref="CpuKernels"/>) costs, and what each of its
/// choices costs: the engine's trainer (the <c>throughput</c> verb, in a child process, since
/// oneDNN's instruction set is fixed per process) on the kl-sweep model and on the notes' model,
/// with the guard as it comes, with oneDNN capped at AVX, with oneDNN switched off, and unguarded,
/// in interleaved rounds whose order rotates, compared by images per CPU-second (what other load
/// on the machine changes least; OpenMP threads wait passively) and by images per second. Also the numerics check's seconds.
/// </summary>
public static class KernelChoice
{
    /// <summary>The line the throughput verb prints for this part.</summary>
    public const string ResultPrefix = "kernels-bench: ";

    public enum Arm { Guarded, IsaCapped, OneDnnOff, Unguarded }

    /// <summary>Training images of one run per model: a few timed steps past the warm-up ones, kept short for a loaded machine.</summary>
    public static readonly IReadOnlyDictionary<string, int> TrainImages = new Dictionary<string, int> { ["kl-sweep"] = 3_200, ["notes"] = 320 };

    public sealed record Measure(double ImagesPerSecond, double ImagesPerCpuSecond, double NumericsCheckSeconds, string Kernels);

    public sealed record Result(IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyDictionary<Arm, Measure>>> Rounds, int Threads)
    {
        /// <summary>The arm's speed over the guarded one's, per CPU-second, median over rounds (above 1: faster than the guard).</summary>
        public double SpeedOverGuarded(string model, Arm arm, Func<Measure, double> speed) =>
            Statistics.Median(Rounds[model].Select(r => speed(r[arm]) / speed(r[Arm.Guarded])));

        public double Median(string model, Arm arm, Func<Measure, double> figure) => Statistics.Median(Rounds[model].Select(r => figure(r[arm])));

        public string Kernels(string model, Arm arm) => Rounds[model][0][arm].Kernels;
    }

    public static Result Run(BenchContext context, Action<string> progress)
    {
        const int threads = 2;
        var rounds = new Dictionary<string, IReadOnlyList<IReadOnlyDictionary<Arm, Measure>>>();
        foreach (var (model, images) in TrainImages)
        {
            var perRound = new List<IReadOnlyDictionary<Arm, Measure>>();
            for (var round = 0; round < context.Rounds; round++)
            {
                var measures = new Dictionary<Arm, Measure>();
                foreach (var arm in Statistics.Rotated(Enum.GetValues<Arm>(), round))
                {
                    measures[arm] = RunThroughput(context, model, images, threads, arm);
                    progress(BenchContext.Invariant(
                        $"kernels {model} round {round + 1}/{context.Rounds} {arm} ({measures[arm].Kernels}): {measures[arm].ImagesPerSecond:F0} images/s, {measures[arm].ImagesPerCpuSecond:F1} images/CPU-s, numerics check {measures[arm].NumericsCheckSeconds:F2} s"));
                }
                perRound.Add(measures);
            }
            rounds[model] = perRound;
        }
        return new Result(rounds, threads);
    }

    private static Measure RunThroughput(BenchContext context, string model, int images, int threads, Arm arm)
    {
        var (setting, isa) = arm switch
        {
            Arm.Guarded => (null, null),
            // The cap as a user's own: the guard keeps it (and probes it).
            Arm.IsaCapped => ((string?)null, CpuKernels.CappedIsa),
            Arm.OneDnnOff => ("onednn-off", null),
            _ => ("off", (string?)null),
        };
        var run = ProcessProbe.Run(Environment.ProcessPath!, ["throughput", model, threads.ToString(CultureInfo.InvariantCulture), images.ToString(CultureInfo.InvariantCulture)],
            context.NewRunFolder($"kernels-{model}-{arm}"),
            // Passive OpenMP waits: on a busy machine spinning threads would burn CPU time that is not the kernels' work.
            BenchContext.CleanEnvironment((CpuKernels.Variable, setting), (CpuKernels.IsaVariable, isa), (CpuKernels.LegacyIsaVariable, null), ("OMP_WAIT_POLICY", "PASSIVE")));
        var numbers = ResultFields.Parse(run.Output, ResultPrefix);
        return new Measure(numbers["images_per_s"], numbers["images_per_cpu_s"], numbers["numerics_check_s"], ResultFields.Text(run.Output, ResultPrefix)["kernels"]);
    }
}
