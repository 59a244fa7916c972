using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Exp.Bench;

/// <summary>Writes bench/results/latest.json and latest.md: every figure, the machine, its load, and the command.</summary>
public static class Report
{
    public const string Command = "dotnet run -c Release --project bench/Exp.Bench";

    public static JsonObject Build(BenchContext context, Machine machine, TrainingComparison.Result? training,
        IReadOnlyList<MemoryGrowth.Measure>? memory, IReadOnlyList<ParallelSweep.Round>? sweeps,
        TrackingCost.Logging? logging, TrackingCost.Forwarding? forwarding, KernelChoice.Result? kernels)
    {
        JsonNode? Figure(double? value, int digits) => value is { } v ? JsonValue.Create(Math.Round(v, digits)) : null;
        return new JsonObject
        {
            ["measured_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'"),
            ["command"] = Command,
            ["rounds"] = context.Rounds,
            ["machine"] = machine.ToJson(),
            ["overhead_ratio"] = Figure(training?.OverheadRatio, 3),
            ["overhead_ratio_untuned"] = Figure(training?.OverheadRatioUntuned, 3),
            ["speedup_vs_bare"] = Figure(training?.SpeedupVsBare, 3),
            ["ratio_basis"] = training?.Basis,
            ["torch_threads"] = training?.Threads,
            ["train_images_per_run"] = training?.TrainImages,
            ["overhead_ratio_by_other_basis"] = Figure(training?.OverheadRatioOther, 3),
            ["speedup_vs_bare_by_other_basis"] = Figure(training?.SpeedupVsBareOther, 3),
            ["rss_tuned_over_untuned"] = Figure(training?.RssTunedOverUntuned, 3),
            ["rss_growth_ratio"] = Figure(memory is null ? null : Statistics.Median(memory.Select(m => m.Ratio)), 3),
            ["rss_epoch2_mib"] = Figure(memory is null ? null : Statistics.Median(memory.Select(m => m.PeakAtEpoch2MiB)), 0),
            ["rss_epoch30_mib"] = Figure(memory is null ? null : Statistics.Median(memory.Select(m => m.PeakAtEpoch30MiB)), 0),
            ["startup_s"] = Figure(training?.Median(TrainingComparison.Arm.Exp, m => m.StartupSeconds), 2),
            ["bare_startup_s"] = Figure(training?.Median(TrainingComparison.Arm.Bare, m => m.StartupSeconds), 2),
            ["teardown_s"] = Figure(training?.Median(TrainingComparison.Arm.Exp, m => m.TeardownSeconds), 2),
            ["images_per_s"] = PerArm(training, m => m.ImagesPerSecond, 0),
            ["images_per_cpu_s"] = PerArm(training, m => m.ImagesPerCpuSecond, 0),
            ["peak_rss_mib"] = PerArm(training, m => m.PeakRssMiB, 0),
            ["last_loss"] = PerArm(training, m => m.LastLoss, 4),
            ["log_us_per_metric"] = logging is null ? null : new JsonObject
            {
                ["local"] = Figure(logging.LocalMicroseconds, 2),
                ["rest"] = Figure(logging.RestMicroseconds, 2),
            },
            ["log_call_us"] = Figure(logging?.CallMicroseconds, 3),
            ["forward_100k_s"] = Figure(forwarding?.FullSeconds, 2),
            ["forward_pass_after_100_more_ms"] = forwarding is null ? null : new JsonObject
            {
                ["appended_only"] = Figure(forwarding.AppendedPassMs, 1),
                ["whole_history"] = Figure(forwarding.WholeHistoryPassMs, 1),
            },
            ["parallel_speedup"] = Figure(sweeps is null ? null : Statistics.Median(sweeps.Select(s => s.Speedup)), 3),
            ["sweep_s"] = sweeps is null ? null : new JsonObject
            {
                ["parallel_1"] = Figure(Statistics.Median(sweeps.Select(s => s.Parallel1Seconds)), 1),
                ["parallel_2"] = Figure(Statistics.Median(sweeps.Select(s => s.Parallel2Seconds)), 1),
            },
            ["per_trial_process_s"] = Figure(sweeps is null ? null : Statistics.Median(sweeps.Select(s => s.PerTrialProcessSeconds)), 2),
            ["guard_cost_ratio"] = Figure(kernels is null ? null : kernels.SpeedOverGuarded("kl-sweep", KernelChoice.Arm.Unguarded, m => m.ImagesPerCpuSecond), 3),
            ["numerics_check_s"] = kernels is null ? null : PerModel(kernels, model => Figure(kernels.Median(model, KernelChoice.Arm.Guarded, m => m.NumericsCheckSeconds), 2)),
            ["cpu_kernels"] = kernels is null ? null : PerModel(kernels, model => new JsonObject
            {
                ["chosen"] = kernels.Kernels(model, KernelChoice.Arm.Guarded),
                ["speed_over_guarded_per_cpu_s"] = new JsonObject
                {
                    ["isa_capped"] = Figure(kernels.SpeedOverGuarded(model, KernelChoice.Arm.IsaCapped, m => m.ImagesPerCpuSecond), 3),
                    ["onednn_off"] = Figure(kernels.SpeedOverGuarded(model, KernelChoice.Arm.OneDnnOff, m => m.ImagesPerCpuSecond), 3),
                    ["unguarded"] = Figure(kernels.SpeedOverGuarded(model, KernelChoice.Arm.Unguarded, m => m.ImagesPerCpuSecond), 3),
                },
                ["speed_over_guarded_per_s"] = new JsonObject
                {
                    ["isa_capped"] = Figure(kernels.SpeedOverGuarded(model, KernelChoice.Arm.IsaCapped, m => m.ImagesPerSecond), 3),
                    ["onednn_off"] = Figure(kernels.SpeedOverGuarded(model, KernelChoice.Arm.OneDnnOff, m => m.ImagesPerSecond), 3),
                    ["unguarded"] = Figure(kernels.SpeedOverGuarded(model, KernelChoice.Arm.Unguarded, m => m.ImagesPerSecond), 3),
                },
                ["images_per_cpu_s"] = new JsonObject
                {
                    ["guarded"] = Figure(kernels.Median(model, KernelChoice.Arm.Guarded, m => m.ImagesPerCpuSecond), 1),
                    ["isa_capped"] = Figure(kernels.Median(model, KernelChoice.Arm.IsaCapped, m => m.ImagesPerCpuSecond), 1),
                    ["onednn_off"] = Figure(kernels.Median(model, KernelChoice.Arm.OneDnnOff, m => m.ImagesPerCpuSecond), 1),
                    ["unguarded"] = Figure(kernels.Median(model, KernelChoice.Arm.Unguarded, m => m.ImagesPerCpuSecond), 1),
                },
            }),
        };
    }

    /// <summary>One figure per model of the kernels part, by the model's snake_case name (kl_sweep, notes).</summary>
    private static JsonObject PerModel(KernelChoice.Result kernels, Func<string, JsonNode?> figure)
    {
        var models = new JsonObject();
        foreach (var model in kernels.Rounds.Keys)
            models[model.Replace('-', '_')] = figure(model);
        return models;
    }

    /// <summary>One figure of every arm of the training comparison, by the arm's snake_case name (bare, bare_tuned, exp_untuned, exp).</summary>
    private static JsonObject? PerArm(TrainingComparison.Result? training, Func<TrainingComparison.Measure, double> figure, int digits)
    {
        if (training is null)
            return null;
        var arms = new JsonObject();
        foreach (var arm in Enum.GetValues<TrainingComparison.Arm>())
            arms[System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(arm.ToString())] = JsonValue.Create(Math.Round(training.Median(arm, figure), digits));
        return arms;
    }

    public static string Markdown(JsonObject result)
    {
        string V(string key, string? sub = null)
        {
            var node = sub is null ? result[key] : result[key]?[sub];
            return node?.ToJsonString() ?? "not measured";
        }
        var machine = result["machine"]!;
        var text = new StringBuilder();
        text.AppendLine($"Measured on {machine["cpu"]} ({machine["cores"]} cores, {machine["memory_gib"]} GiB, {machine["os"]}, no GPU); medians of interleaved rounds. " +
            $"Command: `{result["command"]}`. When each part ran, and the load average (1, 5, 15 min) around it:");
        text.AppendLine();
        foreach (var (part, when) in result["parts_measured_at"]?.AsObject() ?? new JsonObject())
            text.AppendLine($"- {part}: {when!["at"]}, {when["rounds"]} rounds, load {when["load_before"]} before, {when["load_after"]} after");
        text.AppendLine();
        text.AppendLine("| Figure | Value | Goal | What it is |");
        text.AppendLine("|---|---|---|---|");
        void Row(string name, string value, string goal, string what) => text.AppendLine($"| `{name}` | {value} | {goal} | {what} |");
        Row("overhead_ratio", V("overhead_ratio"), "<= 1.03", $"bare loop speed over `exp train`'s, both with malloc tuned, in {result["ratio_basis"]} ({V("torch_threads")} torch threads, {V("train_images_per_run")} images per run; images/s {V("images_per_s", "bare_tuned")} vs {V("images_per_s", "exp")}, images/CPU-s {V("images_per_cpu_s", "bare_tuned")} vs {V("images_per_cpu_s", "exp")}; by the other basis {V("overhead_ratio_by_other_basis")}; both untuned: {V("overhead_ratio_untuned")}, images/s {V("images_per_s", "bare")} vs {V("images_per_s", "exp_untuned")}; last losses {V("last_loss", "bare")} vs {V("last_loss", "exp")})");
        Row("speedup_vs_bare", V("speedup_vs_bare"), ">= 1.3", $"`exp train` with its defaults over the untuned bare loop, in {result["ratio_basis"]} (images/s {V("images_per_s", "exp")} vs {V("images_per_s", "bare")}, images/CPU-s {V("images_per_cpu_s", "exp")}; by the other basis {V("speedup_vs_bare_by_other_basis")})");
        Row("rss_tuned_over_untuned", V("rss_tuned_over_untuned"), "<= 1.10", $"peak RSS of `exp train` with malloc tuned over untuned ({V("peak_rss_mib", "exp")} vs {V("peak_rss_mib", "exp_untuned")} MiB)");
        Row("rss_growth_ratio", V("rss_growth_ratio"), "<= 1.05", $"peak RSS at epoch 30 over epoch 2 ({V("rss_epoch30_mib")} vs {V("rss_epoch2_mib")} MiB)");
        Row("startup_s", V("startup_s"), "", $"launch of `exp train` to its first step (bare loop: {V("bare_startup_s")} s)");
        Row("teardown_s", V("teardown_s"), "", "last step to exit: evaluation, pictures, checkpoint, closing the run");
        Row("log_us_per_metric.local", V("log_us_per_metric", "local"), "", "µs per value, logged and written to the local store");
        Row("log_us_per_metric.rest", V("log_us_per_metric", "rest"), "", "µs per value, logged and forwarded to the MLflow stand-in server");
        Row("log_call_us", V("log_call_us"), "", "µs the training thread spends per logged value");
        Row("forward_100k_s", V("forward_100k_s"), "", "forwarding a 100,000-value run to a fresh server");
        Row("forward_pass_after_100_more_ms", V("forward_pass_after_100_more_ms", "appended_only"), "", $"a forwarding pass after 100 more values, reading only what was appended (re-reading the whole history: {V("forward_pass_after_100_more_ms", "whole_history")} ms)");
        Row("parallel_speedup", V("parallel_speedup"), "", $"the main example's 5-trial sweep, `--parallel 1` over `--parallel 2` ({V("sweep_s", "parallel_1")} s vs {V("sweep_s", "parallel_2")} s)");
        Row("per_trial_process_s", V("per_trial_process_s"), "", "what a sweep's trial costs beyond its training steps");
        Row("evaluation_share", V("evaluation_share"), "<= 0.25", $"the end-of-trial evaluation (test split with IWAE and discretised bits/dim, proposal comparison) over the whole `exp train` of the main example's trial, from its run's record: {V("evaluation_s", "evaluation")} s (test {V("evaluation_s", "test")} s, proposals {V("evaluation_s", "proposals")} s) of {V("evaluation_s", "trial")} s, {V("evaluation_s", "training")} s to the last epoch's metrics; per round {V("evaluation_s", "shares_per_round")}");
        string Kernels(string model)
        {
            var figures = result["cpu_kernels"]?[model];
            return figures is null ? "not measured" :
                $"{model}: guarded = {figures["chosen"]} at {figures["images_per_cpu_s"]?["guarded"]} images/CPU-s; capped at AVX x{figures["speed_over_guarded_per_cpu_s"]?["isa_capped"]} (per second x{figures["speed_over_guarded_per_s"]?["isa_capped"]}), oneDNN off x{figures["speed_over_guarded_per_cpu_s"]?["onednn_off"]} (per second x{figures["speed_over_guarded_per_s"]?["onednn_off"]}), unguarded x{figures["speed_over_guarded_per_cpu_s"]?["unguarded"]} (per second x{figures["speed_over_guarded_per_s"]?["unguarded"]})";
        }
        Row("guard_cost_ratio", V("guard_cost_ratio"), "<= 1.03", $"what the guard of the CPU convolutions costs: the kl-sweep model (not touched by the wrong kernels) unguarded over guarded, in images per CPU-second, 2 torch threads. Each choice's speed over the guard's: {Kernels("kl_sweep")}; {Kernels("notes")}");
        Row("numerics_check_s", $"{V("numerics_check_s", "kl_sweep")}, {V("numerics_check_s", "notes")}", "", "seconds of the numerics check before a trial's first step: the kl-sweep model, the notes' model at 128x128 RGB");
        RooflineReport.Rows(result, Row);
        return text.ToString();
    }

    /// <summary>
    /// Writes the result; with <paramref name="partial"/> (a run of some parts only), the figures it
    /// did not measure are kept from the previous latest.json, and each part says when it was measured.
    /// </summary>
    public static JsonObject Write(string repoRoot, JsonObject result, IReadOnlyCollection<string> parts, bool partial)
    {
        var folder = Path.Combine(repoRoot, "bench", "results");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "latest.json");
        var previous = partial && File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject : null;
        var measuredAt = previous?["parts_measured_at"]?.DeepClone() as JsonObject ?? new JsonObject();
        foreach (var part in parts)
            measuredAt[part] = new JsonObject { ["at"] = result["measured_at"]!.DeepClone(), ["load_before"] = result["machine"]!["load_before"]!.DeepClone(), ["load_after"] = result["machine"]!["load_after"]!.DeepClone(), ["rounds"] = result["rounds"]!.DeepClone() };
        if (previous is not null)
        {
            foreach (var (key, value) in previous)
            {
                if (result[key] is null && value is not null)
                    result[key] = value.DeepClone();
            }
        }
        result["parts_measured_at"] = measuredAt;
        File.WriteAllText(path, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
        File.WriteAllText(Path.Combine(folder, "latest.md"), Markdown(result));
        return result;
    }
}

/// <summary>The machine the figures were measured on, and how busy it was.</summary>
public sealed record Machine(string Cpu, int Cores, double MemoryGiB, string Os, string LoadBefore)
{
    public static Machine Describe()
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var memory = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"') ?? "Linux"
            : "Linux";
        return new Machine(cpu, Environment.ProcessorCount, Math.Round(long.Parse(memory) / 1024.0 / 1024.0, 1), os, Load());
    }

    /// <summary>The 1-, 5- and 15-minute load averages, as uptime shows them.</summary>
    public static string Load() => string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    public JsonObject ToJson() => new()
    {
        ["cpu"] = Cpu,
        ["cores"] = Cores,
        ["memory_gib"] = MemoryGiB,
        ["os"] = Os,
        ["gpu"] = "none",
        ["load_before"] = LoadBefore,
        ["load_after"] = Load(),
    };
}
