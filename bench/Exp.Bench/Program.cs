// The benchmarks of exp; see the README's "Benchmarks".
//   dotnet run -c Release --project bench/Exp.Bench [-- --rounds N] [-- --only training,memory,sweeps,logging,forwarding]
// writes bench/results/latest.json and latest.md. Two more verbs serve it or stand alone:
//   bare key=value...              the bare TorchSharp loop (a child process of the training comparison)
//   throughput kl-sweep|notes [T]  the engine's trainer in this process, images/s
using Exp.Bench;

switch (args.FirstOrDefault())
{
    case "bare":
        return BareLoop.Run(BareSettings.Parse(args.Skip(1)));
    case "throughput":
        return EngineThroughput.Run(args.Skip(1).ToArray());
}

var rounds = OptionValue("--rounds") is { } r ? int.Parse(r) : 5;
var only = OptionValue("--only")?.Split(',').ToHashSet() ?? ["training", "memory", "sweeps", "logging", "forwarding"];
if (rounds < 5)
    Console.Error.WriteLine($"warning: {rounds} rounds; the figures of the README are medians of at least 5.");

using var context = new BenchContext(rounds);
var machine = Machine.Describe();
void Progress(string line) => Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line} (load {Machine.Load()})");
Progress($"exp at {context.Exp}; {rounds} rounds");

var training = only.Contains("training") ? TrainingComparison.Run(context, Progress) : null;
var memory = only.Contains("memory") ? MemoryGrowth.Run(context, Progress) : null;
var sweeps = only.Contains("sweeps") ? ParallelSweep.Run(context, Progress) : null;
var forwarding = only.Contains("forwarding") ? await TrackingCost.MeasureForwardingAsync(context, Progress) : null;
var logging = only.Contains("logging") ? TrackingCost.MeasureLogging(context) : null;

var result = Report.Build(context, machine, training, memory, sweeps, logging, forwarding);
Report.Write(context.RepoRoot, result);
Console.WriteLine();
Console.WriteLine(Report.Markdown(result));
Console.WriteLine($"Written to {Path.Combine(context.RepoRoot, "bench", "results")}/latest.json and latest.md");
return 0;

string? OptionValue(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
