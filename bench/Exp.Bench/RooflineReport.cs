using System.Text.Json;
using System.Text.Json.Nodes;

namespace Exp.Bench;

/// <summary>The figures of the roofline, steps and startup parts in latest.json, and their rows in latest.md.</summary>
public static class RooflineReport
{
    private static readonly string[] Models = ["kl-sweep", "notes"];

    public static void Add(JsonObject result, Roofline.Result? roofline, StepVariants.Result? steps, StartupCost.Result? startup)
    {
        static JsonValue Figure(double value, int digits) => JsonValue.Create(Math.Round(value, digits));
        static string Key(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name.Replace("-", ""));
        if (roofline is not null)
        {
            result["roofline_fraction"] = PerModel(model => Figure(roofline.Fraction(model), 3));
            result["roofline"] = new JsonObject
            {
                ["peak_gflops"] = Figure(roofline.Peak.Gflops, 1),
                ["peak_how"] = roofline.Peak.How,
                ["matmul_gflops"] = new JsonObject
                {
                    ["float32"] = Figure(roofline.MatmulGflops, 1),
                    ["bfloat16"] = Figure(roofline.MatmulBf16Gflops, 1),
                },
                ["matmul_how"] = "2048x2048 torch.mm, 2 torch threads (the `peak` verb)",
                ["mflop_per_image"] = PerModel(model => Figure(roofline.TrainingFlops[model] / 1e6, 2)),
                ["images_per_s"] = PerModel(model => Figure(roofline.ImagesPerSecond(model), 1)),
                ["achieved_gflops"] = PerModel(model => Figure(roofline.AchievedGflops(model), 1)),
                ["fraction_of_matmul"] = PerModel(model => Figure(roofline.FractionOfMatmul(model), 3)),
                ["fraction_per_cpu_s"] = PerModel(model => Figure(roofline.FractionPerCpuSecond(model), 3)),
            };
        }
        if (steps is not null)
        {
            var variants = Enum.GetValues<StepVariants.Variant>().Where(v => v != StepVariants.Variant.Default).ToList();
            JsonObject PerVariant(Func<StepVariants.Variant, JsonNode> figure) => new(variants.Select(v => KeyValuePair.Create(Key(v.ToString()), (JsonNode?)figure(v))));
            result["step_speed_over_default"] = new JsonObject
            {
                ["per_s"] = PerVariant(v => Figure(steps.SpeedOverDefault(v, m => m.ImagesPerSecond), 3)),
                ["per_cpu_s"] = PerVariant(v => Figure(steps.SpeedOverDefault(v, m => m.ImagesPerCpuSecond), 3)),
                ["default_images_per_s"] = Figure(steps.Median(StepVariants.Variant.Default, m => m.ImagesPerSecond), 0),
            };
            result["step_elbo_nats"] = new JsonObject(Enum.GetValues<StepVariants.Variant>().Select(v =>
                KeyValuePair.Create(Key(v.ToString()), (JsonNode?)Figure(steps.Median(v, m => m.Elbo), 2))));
            result["step_profile_ms"] = new JsonObject
            {
                ["forward"] = Figure(steps.Median(StepVariants.Variant.Default, m => m.ForwardMs), 2),
                ["backward"] = Figure(steps.Median(StepVariants.Variant.Default, m => m.BackwardMs), 2),
                ["optimizer"] = Figure(steps.Median(StepVariants.Variant.Default, m => m.OptimizerMs), 2),
            };
        }
        if (startup is not null)
        {
            result["startup_by_setting_s"] = new JsonObject(Enum.GetValues<StartupCost.Arm>().Select(arm => KeyValuePair.Create(Key(arm.ToString()), (JsonNode?)new JsonObject
            {
                ["exp_version"] = Figure(startup.Median(arm, m => m.VersionSeconds), 3),
                ["to_first_step"] = Figure(startup.Median(arm, m => m.FirstStepSeconds), 3),
            })));
        }
    }

    public static void Rows(JsonObject result, Action<string, string, string, string> row)
    {
        string V(params string[] path) => path.Aggregate((JsonNode?)result, (node, key) => node?[key])?.ToJsonString() ?? "not measured";
        row("roofline_fraction", $"{V("roofline_fraction", "kl_sweep")}, {V("roofline_fraction", "notes")}", ">= 0.4 (kl-sweep)",
            $"achieved GFLOP/s of the engine's trainer over the CPU's float32 peak ({V("roofline", "peak_gflops")} GFLOP/s: {V("roofline", "peak_how")}); kl-sweep, notes: " +
            $"{V("roofline", "mflop_per_image", "kl_sweep")}, {V("roofline", "mflop_per_image", "notes")} MFLOP per image (forward and backward, from the layers) at " +
            $"{V("roofline", "images_per_s", "kl_sweep")}, {V("roofline", "images_per_s", "notes")} images/s = {V("roofline", "achieved_gflops", "kl_sweep")}, {V("roofline", "achieved_gflops", "notes")} GFLOP/s; " +
            $"a 2048x2048 matmul reaches {V("roofline", "matmul_gflops", "float32")} GFLOP/s (bfloat16: {V("roofline", "matmul_gflops", "bfloat16")}), so of the practical peak: {V("roofline", "fraction_of_matmul", "kl_sweep")}, {V("roofline", "fraction_of_matmul", "notes")}; " +
            $"by CPU time (FLOPs per CPU-second over one core's peak): {V("roofline", "fraction_per_cpu_s", "kl_sweep")}, {V("roofline", "fraction_per_cpu_s", "notes")}");
        var perSecond = result["step_speed_over_default"]?["per_s"]?.AsObject();
        row("step_speed_over_default", perSecond is null ? "not measured" : string.Join(", ", perSecond.Select(p => $"{p.Key} x{p.Value}")), "> 1 to keep",
            $"each change to the kl-sweep model's step over today's step ({V("step_speed_over_default", "default_images_per_s")} images/s), images/s (per CPU-second: {V("step_speed_over_default", "per_cpu_s")}); " +
            $"held-out ELBO in nats after one pass: {V("step_elbo_nats")}; a default step's ms: {V("step_profile_ms")}");
        row("startup_by_setting_s", V("startup_by_setting_s"), "", "seconds of `exp --version` and of `exp train` to its first step, as published and with one runtime setting changed");
    }

    private static JsonObject PerModel(Func<string, JsonNode> figure) =>
        new(Models.Select(model => KeyValuePair.Create(model.Replace('-', '_'), (JsonNode?)figure(model))));
}
