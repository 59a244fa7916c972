using System.Globalization;
using Exp.Catalog;
using Exp.Spec;

namespace Exp.Report.Model;

public sealed partial record ReportPage
{
    /// <summary>What the sweep's spec says about its search (<see cref="SearchDesign.Unknown"/> without a spec).</summary>
    public SearchDesign Design { get; init; } = SearchDesign.Unknown;

    /// <summary>The views of a search over several parameters, or a sampled one (random, tpe); null for a one-parameter grid or list.</summary>
    public SearchView? Search { get; init; }
}

/// <summary>How a parameter's axis is scaled, matching how it was sampled.</summary>
public enum AxisScale
{
    Linear,
    Log,
    Category,
}

/// <summary>The views of a multi-parameter search: parallel coordinates, importance, and (sampled searches, ASHA) its history.</summary>
/// <param name="Objective">The sweep's metric (sweep.metric), the parallel coordinates' colour and the importance's target.</param>
/// <param name="Axes">One per swept parameter, then the epochs trained when some trials were pruned, then the objective.</param>
/// <param name="Lines">The trials drawn, one line each across <paramref name="Axes"/>: those with a value of every axis.</param>
/// <param name="Importances">PED-ANOVA (<see cref="ParameterImportance"/>) per swept parameter, most important first; empty with too few trials.</param>
/// <param name="History">Random and tpe: the objective per trial in the order they started; empty for grids.</param>
/// <param name="Rungs">ASHA: each trial's objective at each rung it reached; empty without a scheduler.</param>
public sealed record SearchView(
    ReportMetric Objective,
    bool Maximize,
    IReadOnlyList<ParallelAxis> Axes,
    IReadOnlyList<string> Lines,
    IReadOnlyList<Importance> Importances,
    IReadOnlyList<HistoryPoint> History,
    IReadOnlyList<RungPath> Rungs,
    IReadOnlyList<int> RungEpochs);

/// <param name="Values">One per line, as plotted: the value, its log10 on a log axis, its category's index on a categorical one.</param>
/// <param name="Range">The plotted range: the sampled range where the spec gives one, else the values'.</param>
public sealed record ParallelAxis(string Key, string Title, AxisScale Scale, IReadOnlyList<double> Values, (double Low, double High) Range, IReadOnlyList<double> TickValues, IReadOnlyList<string> TickTexts);

public sealed record Importance(SweptParameter Parameter, double Value);

/// <param name="Number">The trial's place in the order the trials started, from 1.</param>
/// <param name="BestSoFar">The best objective among trials trained to their end up to this one; null before the first.</param>
public sealed record HistoryPoint(string RunId, string Name, int Number, double Value, double? BestSoFar, TrialPruning? Pruning);

/// <summary>One trial's objective at each rung it reached: where it went on, and where it stopped.</summary>
public sealed record RungPath(string RunId, string Name, IReadOnlyList<double> Epochs, IReadOnlyList<double> Values, TrialPruning? Pruning);

/// <summary>Builds a page's <see cref="SearchView"/> and decides each parameter's axis scale.</summary>
public static class SearchViews
{
    /// <summary>
    /// A parameter's scale: as the spec sampled it (log-uniform: log, a choice: categories, else linear); for a grid or list,
    /// numbers that span at least two decades read on a log axis, and anything not a number is a category.
    /// </summary>
    public static AxisScale ScaleOf(string key, IEnumerable<string> values, SearchDesign design)
    {
        if (design.Sampled.TryGetValue(key, out var sampling))
        {
            return sampling.Kind switch
            {
                ParameterKind.LogUniform => AxisScale.Log,
                ParameterKind.Choice => AxisScale.Category,
                _ => AxisScale.Linear,
            };
        }
        var numbers = values.Select(SweptValueOrder.AsNumber).ToList();
        return numbers.Any(n => n is null) ? AxisScale.Category
            : Model.Axes.SpansDecades(numbers.Select(n => n!.Value)) ? AxisScale.Log
            : AxisScale.Linear;
    }

    /// <summary>
    /// Null unless the page is a search: a sampled one (random, tpe) or a grid of two parameters or more. A list's trials
    /// are written by hand, often one value at a time with an odd one out, and keep the page of a one-parameter sweep.
    /// </summary>
    public static SearchView? Build(IReadOnlyList<TrialSource> trials, IReadOnlyList<SweptParameter> swept, SearchDesign design)
    {
        if (swept.Count == 0 || !(design.DrawsAtRandom || (design.Method == "grid" && swept.Count >= 2)))
        {
            return null;
        }
        var objective = ReportMetrics.Table.FirstOrDefault(m => m.Key == design.Metric)
            ?? new ReportMetric(design.Metric, design.Metric, "", "the sweep's metric (sweep.metric)");
        double? ObjectiveOf(TrialSource t) => ReportPageBuilder.Last(t, design.Metric) is { } v && double.IsFinite(v) ? v : null;
        var lines = trials
            .Where(t => ObjectiveOf(t) is not null && swept.All(p => t.Params.ContainsKey(p.Key)))
            .ToList();
        // No trial has a value to draw yet (a sweep that just started): no axes, and the page says nothing of them.
        var axes = lines.Count == 0 ? [] : swept.Select(p => Axis(p.Key, p.Title, lines.Select(t => t.Params[p.Key]).ToList(), design)).ToList();
        if (lines.Any(t => t.Pruning is not null))
        {
            // Pruned trials' values are from fewer epochs: brushing this axis to its top keeps the trials trained to their end.
            var epochs = lines.Select(t => ReportPageBuilder.Last(t, ReportMetrics.Epoch) ?? 0).ToList();
            axes.Add(Numeric(ReportMetrics.Epoch, "epochs trained", epochs, (epochs.Min(), epochs.Max()), log: false));
        }
        var values = lines.Select(t => ObjectiveOf(t)!.Value).ToList();
        if (lines.Count > 0)
        {
            axes.Add(Numeric(objective.Key, objective.Title, values, (values.Min(), values.Max()), log: false));
        }
        return new SearchView(
            objective,
            design.Maximize,
            axes,
            lines.Select(t => t.RunId).ToList(),
            Importances(lines, swept, axes, values, design),
            design.DrawsAtRandom ? History(trials, ObjectiveOf, design.Maximize) : [],
            design.Rungs.Count > 1 ? Rungs(trials, design) : [],
            design.Rungs);
    }

    private static ParallelAxis Axis(string key, string title, IReadOnlyList<string> raw, SearchDesign design)
    {
        var scale = ScaleOf(key, raw, design);
        var sampling = design.Sampled.GetValueOrDefault(key);
        if (scale == AxisScale.Category)
        {
            // The choices in the spec's order, when the values are among them as the store wrote them.
            var categories = sampling?.Kind == ParameterKind.Choice && raw.All(sampling.Choices.Contains)
                ? sampling.Choices.ToList()
                : raw.Distinct().Order(SweptValueOrder.Instance).ToList();
            var indices = raw.Select(v => (double)categories.IndexOf(v)).ToList();
            return new ParallelAxis(key, title, scale, indices, (0, Math.Max(1, categories.Count - 1)), categories.Select((_, i) => (double)i).ToList(), categories);
        }
        var numbers = raw.Select(v => SweptValueOrder.AsNumber(v)!.Value).ToList();
        var range = sampling is { Kind: not ParameterKind.Choice } ? (sampling.Low, sampling.High) : (numbers.Min(), numbers.Max());
        return Numeric(key, title, numbers, range, scale == AxisScale.Log);
    }

    private static ParallelAxis Numeric(string key, string title, IReadOnlyList<double> numbers, (double Low, double High) range, bool log)
    {
        if (!log)
        {
            return new ParallelAxis(key, title, AxisScale.Linear, numbers, range, [], []);
        }
        // Plotly's parallel coordinates have no log axis: the lines run through log10 of the values, and the ticks name the values.
        var (low, high) = (Math.Log10(range.Low), Math.Log10(range.High));
        var decades = Enumerable.Range((int)Math.Ceiling(low - 1e-9), Math.Max(0, (int)Math.Floor(high + 1e-9) - (int)Math.Ceiling(low - 1e-9) + 1)).Select(k => (double)k).ToList();
        // Within less than two decades, 2 and 5 times the powers of ten as well, so the axis has enough marks to read.
        var ticks = decades.Count >= 3 ? decades
            : Enumerable.Range((int)Math.Floor(low) - 1, (int)Math.Ceiling(high) - (int)Math.Floor(low) + 2)
                .SelectMany(k => new[] { k, k + Math.Log10(2), k + Math.Log10(5) })
                .Where(t => t >= low - 1e-9 && t <= high + 1e-9)
                .ToList();
        return new ParallelAxis(key, title, AxisScale.Log, numbers.Select(Math.Log10).ToList(), (low, high), ticks,
            ticks.Select(t => Math.Pow(10, t).ToString("G3", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal)).ToList());
    }

    private static IReadOnlyList<Importance> Importances(IReadOnlyList<TrialSource> lines, IReadOnlyList<SweptParameter> swept, IReadOnlyList<ParallelAxis> axes, IReadOnlyList<double> objective, SearchDesign design)
    {
        if (swept.Count < 2 || lines.Count == 0)
        {
            return [];
        }
        // Measured on the trials trained to their end: a pruned trial's value is from fewer epochs, and not comparable.
        var completed = Enumerable.Range(0, lines.Count).Where(i => lines[i].Completed).ToList();
        var domains = swept.Select((p, d) => Domain(p.Key, axes[d], design)).ToList();
        var importances = ParameterImportance.Of(
            domains,
            completed.Select(i => (IReadOnlyList<double>)swept.Select((_, d) => axes[d].Scale == AxisScale.Log ? Math.Pow(10, axes[d].Values[i]) : axes[d].Values[i]).ToList()).ToList(),
            completed.Select(i => objective[i]).ToList(),
            design.Maximize);
        return importances is null ? [] : swept.Select((p, d) => new Importance(p, importances[d])).OrderByDescending(i => i.Value).ToList();
    }

    private static ParameterDomain Domain(string key, ParallelAxis axis, SearchDesign design) =>
        axis.Scale == AxisScale.Category ? ParameterDomain.Categorical(axis.TickTexts.Count)
        : axis.Scale == AxisScale.Log ? new ParameterDomain(Math.Pow(10, axis.Range.Low), Math.Pow(10, axis.Range.High), Log: true)
        : new ParameterDomain(axis.Range.Low, axis.Range.High, Integer: design.Sampled.GetValueOrDefault(key)?.Kind == ParameterKind.IntUniform);

    private static IReadOnlyList<HistoryPoint> History(IReadOnlyList<TrialSource> trials, Func<TrialSource, double?> objectiveOf, bool maximize)
    {
        var points = new List<HistoryPoint>();
        double? best = null;
        foreach (var (trial, index) in trials.OrderBy(t => t.StartTime).ThenBy(t => t.Name, StringComparer.Ordinal).Select((t, i) => (t, i)))
        {
            if (objectiveOf(trial) is not { } value)
            {
                continue;
            }
            if (trial.Completed && (best is null || (maximize ? value > best : value < best)))
            {
                best = value;
            }
            points.Add(new HistoryPoint(trial.RunId, trial.Name, index + 1, value, best, trial.Pruning));
        }
        return points;
    }

    private static IReadOnlyList<RungPath> Rungs(IReadOnlyList<TrialSource> trials, SearchDesign design) =>
        trials
            .Select(trial =>
            {
                var epochOfStep = ReportPageBuilder.EpochOfStep(trial);
                var atRungs = (trial.Metrics.GetValueOrDefault(design.Metric) ?? [])
                    .Where(p => epochOfStep.TryGetValue(p.Step, out var epoch) && design.Rungs.Contains((int)epoch))
                    .GroupBy(p => epochOfStep[p.Step])
                    .OrderBy(g => g.Key)
                    .Select(g => (Epoch: g.Key, g.MaxBy(p => p.Step).Value))
                    .ToList();
                return new RungPath(trial.RunId, trial.Name, atRungs.Select(p => p.Epoch).ToList(), atRungs.Select(p => p.Value).ToList(), trial.Pruning);
            })
            .Where(path => path.Epochs.Count > 0)
            .ToList();
}
