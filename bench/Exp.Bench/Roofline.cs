// How close training comes to the machine: FLOPs per image from the model's layers (ModelFlops),
// achieved GFLOP/s of the engine's trainer, over the CPU's FP32 peak from its instruction set,
// cores and clock; a large matmul in TorchSharp gives the practical peak as a cross-check:
//   dotnet run -c Release --project bench/Exp.Bench -- peak    the matmul peak in this process (float32, bfloat16)
using System.Diagnostics;
using System.Globalization;
using Exp.Engine.Models;
using static TorchSharp.torch;

namespace Exp.Bench;

public static class Roofline
{
    public const string PeakPrefix = "peak-bench: ";

    /// <summary>Training images of one timed run per model (the warm-up steps come on top).</summary>
    public static readonly IReadOnlyDictionary<string, int> TrainImages = new Dictionary<string, int> { ["kl-sweep"] = 12_800, ["notes"] = 320 };

    public sealed record Round(double MatmulGflops, double MatmulBf16Gflops, IReadOnlyDictionary<string, double> ImagesPerSecond, IReadOnlyDictionary<string, double> ImagesPerCpuSecond);

    /// <param name="TrainingFlops">FLOPs per image of a training step (forward and backward), per model.</param>
    public sealed record Result(CpuPeak Peak, IReadOnlyDictionary<string, long> TrainingFlops, IReadOnlyList<Round> Rounds)
    {
        public double MatmulGflops => Statistics.Median(Rounds.Select(r => r.MatmulGflops));
        public double MatmulBf16Gflops => Statistics.Median(Rounds.Select(r => r.MatmulBf16Gflops));
        public double ImagesPerSecond(string model) => Statistics.Median(Rounds.Select(r => r.ImagesPerSecond[model]));
        public double AchievedGflops(string model) => ImagesPerSecond(model) * TrainingFlops[model] / 1e9;

        /// <summary>Achieved over the instruction set's peak: the roofline figure.</summary>
        public double Fraction(string model) => AchievedGflops(model) / Peak.Gflops;

        /// <summary>Achieved over what one large matmul reaches: how far from the practical ceiling.</summary>
        public double FractionOfMatmul(string model) => AchievedGflops(model) / MatmulGflops;

        /// <summary>
        /// The same by CPU time: FLOPs per CPU-second over one core's peak. What other load on the
        /// machine changes least; below the wall-clock figure where threads wait on each other.
        /// </summary>
        public double FractionPerCpuSecond(string model) =>
            Statistics.Median(Rounds.Select(r => r.ImagesPerCpuSecond[model])) * TrainingFlops[model] / 1e9 / (Peak.Gflops / Peak.Cores);
    }

    public static Result Run(BenchContext context, bool sharedMachine, Action<string> progress)
    {
        var peak = CpuPeak.Read();
        progress(BenchContext.Invariant($"roofline: peak {peak.Gflops:F0} GFLOP/s ({peak.How})"));
        var flops = TrainImages.Keys.ToDictionary(model => model, model =>
        {
            var config = model == "notes" ? EngineThroughput.Notes(TrainImages[model]) : EngineThroughput.KlSweep(TrainImages[model], 128);
            using var vae = VaeFactory.Create(config.Model, config.Loss, config.Data.Channels, config.Data.ImageSize);
            return ModelFlops.Of(vae).Training;
        });
        var rounds = new List<Round>();
        for (var round = 0; round < context.Rounds; round++)
        {
            var peakRun = ResultFields.Parse(ProcessProbe.Run(Environment.ProcessPath!, ["peak"], context.NewRunFolder("peak"), BenchContext.CleanEnvironment(BenchContext.OpenMpWaits(sharedMachine))).Output, PeakPrefix);
            var speeds = new Dictionary<string, double>();
            var cpuSpeeds = new Dictionary<string, double>();
            foreach (var model in Statistics.Rotated(TrainImages.Keys.ToArray(), round))
            {
                var run = ProcessProbe.Run(Environment.ProcessPath!,
                    ["throughput", model, "2", TrainImages[model].ToString(CultureInfo.InvariantCulture), "--no-numerics-check"],
                    context.NewRunFolder($"roofline-{model}"), BenchContext.CleanEnvironment(BenchContext.OpenMpWaits(sharedMachine)));
                var fields = ResultFields.Parse(run.Output, KernelChoice.ResultPrefix);
                speeds[model] = fields["images_per_s"];
                cpuSpeeds[model] = fields["images_per_cpu_s"];
                progress(BenchContext.Invariant(
                    $"roofline round {round + 1}/{context.Rounds} {model}: {speeds[model]:F0} images/s x {flops[model] / 1e6:F1} MFLOP = {speeds[model] * flops[model] / 1e9:F1} GFLOP/s ({cpuSpeeds[model]:F0} images/CPU-s)"));
            }
            progress(BenchContext.Invariant($"roofline round {round + 1}/{context.Rounds}: matmul {peakRun["fp32_gflops"]:F0} GFLOP/s float32, {peakRun["bf16_gflops"]:F0} bfloat16"));
            rounds.Add(new Round(peakRun["fp32_gflops"], peakRun["bf16_gflops"], speeds, cpuSpeeds));
        }
        return new Result(peak, flops, rounds);
    }

    /// <summary>The <c>peak</c> verb: GFLOP/s of 2048x2048 matmuls on 2 torch threads, float32 and bfloat16.</summary>
    public static int RunPeakVerb()
    {
        set_num_threads(2);
        using var scope = NewDisposeScope();
        double Measure(ScalarType dtype)
        {
            const int n = 2048;
            var a = randn([n, n]).to(dtype);
            var b = randn([n, n]).to(dtype);
            for (var i = 0; i < 2; i++)
                mm(a, b).Dispose();
            const int repeats = 10;
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < repeats; i++)
                mm(a, b).Dispose();
            return repeats * 2.0 * n * n * n / watch.Elapsed.TotalSeconds / 1e9;
        }
        Console.WriteLine(BenchContext.Invariant($"{PeakPrefix}fp32_gflops={Measure(ScalarType.Float32)} bf16_gflops={Measure(ScalarType.BFloat16)}"));
        return 0;
    }
}

/// <summary>
/// The CPU's FP32 peak from /proc/cpuinfo: vector width from its flags (AVX-512, AVX2 with FMA,
/// AVX), two FMA pipes per core (every x86 core of the last decade; on AMD Zen 4, family 25, they
/// are 256 bits wide and run AVX-512 in two halves), the cores this process may use, and the clock
/// the kernel reports (a virtual machine reports its host's base clock, not its boost).
/// </summary>
public sealed record CpuPeak(int FlopsPerCycle, int Cores, double Ghz, string How)
{
    public double Gflops => FlopsPerCycle * Cores * Ghz;

    public static CpuPeak Read()
    {
        var cpuinfo = File.ReadAllLines("/proc/cpuinfo");
        string Field(string name) => cpuinfo.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal) && l[name.Length..].TrimStart().StartsWith(':'))?.Split(':', 2)[1].Trim() ?? "";
        var flags = Field("flags").Split(' ').ToHashSet();
        var amdZen4 = Field("vendor_id") == "AuthenticAMD" && Field("cpu family") == "25";
        var (lanes, isa) = flags switch
        {
            _ when flags.Contains("avx512f") && amdZen4 => (8, "AVX-512 on 256-bit FMA pipes (AMD family 25)"),
            _ when flags.Contains("avx512f") => (16, "AVX-512"),
            _ when flags.Contains("avx2") && flags.Contains("fma") => (8, "AVX2+FMA"),
            _ when flags.Contains("avx") => (4, "AVX without FMA"),
            _ => (2, "SSE2"),
        };
        const int fmaPipes = 2;
        var flopsPerCycle = fmaPipes * lanes * 2;
        var mhz = double.Parse(Field("cpu MHz"), CultureInfo.InvariantCulture);
        var cores = Environment.ProcessorCount;
        return new CpuPeak(flopsPerCycle, cores, mhz / 1000, BenchContext.Invariant(
            $"/proc/cpuinfo: {isa}, {fmaPipes} FMA pipes x {lanes} float32 lanes x 2 = {flopsPerCycle} FLOP/cycle/core, {cores} cores, {mhz:F0} MHz (cpu MHz)"));
    }
}

/// <summary>The key=value line a child verb prints after its prefix, as numbers.</summary>
public static class ResultFields
{
    public static IReadOnlyDictionary<string, double> Parse(string output, string prefix) =>
        Text(output, prefix).Where(f => double.TryParse(f.Value, CultureInfo.InvariantCulture, out _))
            .ToDictionary(f => f.Key, f => double.Parse(f.Value, CultureInfo.InvariantCulture));

    public static IReadOnlyDictionary<string, string> Text(string output, string prefix) =>
        output.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..].Trim()
            .Split(' ').Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1]);
}
