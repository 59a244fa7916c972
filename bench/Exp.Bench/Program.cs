// The benchmarks of exp; see docs/benchmarks.md.
//   dotnet run -c Release --project bench/Exp.Bench [-- --rounds N] [--only training,memory,sweeps,forwarding,logging,kernels,roofline,steps,startup,evaluation]
// writes bench/results/latest.json and latest.md (a run of some parts keeps the other parts' figures).
// The kernels part: the guard of the CPU convolutions and each of its choices, and the numerics check's cost.
// The roofline part: FLOPs per image from the models' layers, achieved GFLOP/s, the CPU's peak (Roofline.cs);
// steps: candidate changes to the training step against today's (StepVariants.cs); startup: where a trial's start goes (StartupCost.cs).
// The evaluation part: the end-of-trial evaluation's share of a kl-sweep trial (EvaluationShare).
// --train-images N sets the training comparison's images per run (default 25,600).
// --shared-machine (a machine busy with other work): the arms of a training round run at the same
// time, OpenMP threads wait passively, and the arms are compared by CPU time; memory rounds run at
// the same time. Two more verbs serve it or stand alone:
//   bare key=value...              the bare TorchSharp loop (a child process of the training comparison)
//   throughput kl-sweep|notes [T] [N]  the engine's trainer in this process, images/s (N training images)
//   step VARIANT [N]               one candidate training step of the kl-sweep model (StepVariants.Variant)
//   peak                           GFLOP/s of a large matmul, float32 and bfloat16
//   evaluation-share [folder]      each finished trial's evaluation share, read from folder/runs (default: .)
using Exp.Bench;

switch (args.FirstOrDefault())
{
    case "bare":
        return BareLoop.Run(BareSettings.Parse(args.Skip(1)));
    case Exp.Engine.Native.CpuKernels.ProbeVerb:
        return Exp.Engine.Native.CpuKernels.RunProbe();
    case "step":
        PrepareAsExpDoes();
        return StepVariants.RunVerb(args.Skip(1).ToArray());
    case "peak":
        return Roofline.RunPeakVerb();
    case "throughput":
        PrepareAsExpDoes();
        return EngineThroughput.Run(args.Skip(1).ToArray());
    case "evaluation-share":
        return EvaluationShare.Print(args.ElementAtOrDefault(1) ?? ".");
}

var rounds = OptionValue("--rounds") is { } r ? int.Parse(r) : 5;
string[] allParts = ["training", "memory", "sweeps", "forwarding", "logging", "kernels", "roofline", "steps", "startup", "evaluation"];
var only = OptionValue("--only")?.Split(',').ToHashSet() ?? [.. allParts];
if (only.Except(allParts).FirstOrDefault() is { } unknown)
    throw new ArgumentException($"unknown part '{unknown}' in --only; the parts are {string.Join(", ", allParts)}");
if (rounds < 5)
    Console.Error.WriteLine($"warning: {rounds} rounds; the figures in docs/benchmarks.md are medians of at least 5.");

using var context = new BenchContext(rounds);
var machine = Machine.Describe();
void Progress(string line) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line} (load {Machine.Load()})");
Progress($"exp at {context.Exp}; {rounds} rounds");

var sharedMachine = args.Contains("--shared-machine");
var training = only.Contains("training") ? TrainingComparison.Run(context, sharedMachine,
    OptionValue("--train-images") is { } images ? int.Parse(images) : TrainingComparison.DefaultTrainImages, Progress) : null;
var memory = only.Contains("memory") ? MemoryGrowth.Run(context, sharedMachine, Progress) : null;
var sweeps = only.Contains("sweeps") ? ParallelSweep.Run(context, Progress) : null;
var forwarding = only.Contains("forwarding") ? await TrackingCost.MeasureForwardingAsync(context, Progress) : null;
var logging = only.Contains("logging") ? TrackingCost.MeasureLogging(context) : null;
var kernels = only.Contains("kernels") ? KernelChoice.Run(context, Progress) : null;
var roofline = only.Contains("roofline") ? Roofline.Run(context, sharedMachine, Progress) : null;
var steps = only.Contains("steps") ? StepVariants.Run(context, sharedMachine, Progress) : null;
var startup = only.Contains("startup") ? StartupCost.Run(context, sharedMachine, Progress) : null;
var evaluation = only.Contains("evaluation") ? EvaluationShare.Run(context, Progress) : null;

var built = Report.Build(context, machine, training, memory, sweeps, logging, forwarding, kernels);
RooflineReport.Add(built, roofline, steps, startup);
evaluation?.AddTo(built);
var result = Report.Write(context.RepoRoot, built, [.. allParts.Where(only.Contains)], partial: only.Count < allParts.Length);
Console.WriteLine();
Console.WriteLine(Report.Markdown(result));
Console.WriteLine($"Written to {Path.Combine(context.RepoRoot, "bench", "results")}/latest.json and latest.md");
return 0;

// As exp's Main does for the verbs that train (Runner's TrainingProcess), before libtorch's first
// allocation and convolution: malloc tuned (EXP_MALLOC_TUNING=off leaves it) and the kernels settled.
static void PrepareAsExpDoes()
{
    Exp.Engine.Native.MallocTuning.Apply();
    Exp.Engine.Native.CpuKernels.Prepare(Environment.ProcessPath);
}

string? OptionValue(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
