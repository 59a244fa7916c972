using System.Globalization;
using Exp.Catalog;
using Exp.Report.Model;
using Exp.Runner.Catalog;
using Exp.Tracking.Model;

namespace Exp.Report.Tests.Model;

/// <summary>Trials made by hand, as the store would give them, for the page-model tests.</summary>
internal static class TrialSources
{
    public static TrialSource Trial(
        string name,
        RunStatus status = RunStatus.Finished,
        IReadOnlyDictionary<string, string>? parameters = null,
        Dictionary<string, double[]>? perEpoch = null,
        string? failure = null,
        IReadOnlyList<LoggedImage>? images = null,
        IReadOnlyDictionary<string, IReadOnlyList<MetricPoint>>? raw = null,
        string? pruned = null)
    {
        // Epoch e ends at step 10·e; held-out metrics and the epoch counter are logged at that step.
        var metrics = new Dictionary<string, IReadOnlyList<MetricPoint>>();
        var epochs = perEpoch?.Values.Select(v => v.Length).DefaultIfEmpty(0).Max() ?? 0;
        if (epochs > 0)
        {
            metrics[ReportMetrics.Epoch] = Enumerable.Range(1, epochs).Select(e => new MetricPoint(10 * e, e)).ToList();
        }
        foreach (var (key, values) in perEpoch ?? new Dictionary<string, double[]>())
        {
            metrics[key] = values.Select((v, i) => new MetricPoint(10 * (i + 1), v)).ToList();
        }
        foreach (var (key, points) in raw ?? new Dictionary<string, IReadOnlyList<MetricPoint>>())
        {
            metrics[key] = points;
        }
        parameters ??= new Dictionary<string, string>();
        // Pruned (tagged exp.pruned with this reason) where its last epoch says, as the store's TrialRecord reads it.
        var pruning = pruned is null
            ? null
            : TrialPruning.After(
                metrics.ToDictionary(m => m.Key, m => m.Value.MaxBy(p => p.Step).Value),
                parameters.TryGetValue(TrialRecord.EpochsParam, out var planned) ? int.Parse(planned, CultureInfo.InvariantCulture) : null,
                pruned);
        return new TrialSource(
            $"run-{name}", $"id-{name}", name, status, failure, pruning, 1_000, status == RunStatus.Running ? null : 61_000,
            parameters, metrics, images ?? []);
    }

    public static ReportSource Source(params TrialSource[] trials) =>
        new("sweep", "a sweep", null, "experiment: x\n", RunStatus.Finished, 100_000, trials);

    public static Dictionary<string, string> KlWeight(string value, int epochs = 4) =>
        new() { ["loss.kl_weight"] = value, ["train.epochs"] = epochs.ToString(CultureInfo.InvariantCulture), ["model.latent_dim"] = "16" };
}
