using System.Text.Json.Nodes;
using Exp.Catalog;
using Exp.Report.Model;
using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace Exp.Report.Html;

/// <summary>The page's charts, built with Plotly.NET: every trial overlaid, coloured alike everywhere, values on hover.</summary>
public sealed partial class ReportCharts(ReportPage page)
{
    /// <summary>With more trials than this, only the best ones' curves start visible; the others are one legend click away.</summary>
    public const int VisibleCurves = 10;

    private readonly IReadOnlyDictionary<string, string> colors = TrialColors.Of(page);
    private readonly IReadOnlyDictionary<string, int> rank = page.Rows.ToDictionary(r => r.RunId, r => r.Rank);

    public string ColorOf(string runId) => colors.GetValueOrDefault(runId, "#636efa");

    public ChartFigure TradeOff(TradeOff tradeOff)
    {
        var joined = tradeOff.Points.Where(p => p.Pruning is null).ToList();
        var traces = new List<(GenericChart Chart, string? Run)>();
        if (tradeOff.Joined)
        {
            traces.Add((Chart.Line<double, double, string>(
                joined.Select(p => p.Kl), joined.Select(p => p.Mse),
                Name: "in sweep order", ShowLegend: false, LineColor: Color.fromHex("#b0b0b0"), LineDash: StyleParam.DrawingStyle.Dot), null));
        }
        traces.AddRange(tradeOff.Points.Select(p => (
            WithErrorBars(
                Chart.Point<double, double, string>(
                    // The label shows on hover, not beside the point: Plotly places text without avoiding other text, so the
                    // labels of trials that end close together (a short sweep's small weights) would print over each other.
                    [p.Kl], [p.Mse], Name: p.Name,
                    MultiText: new[] { (p.Pruning is { } pruning ? $"{p.Label}, {pruning.Status}" : p.Label) + Replicates(p.MseSpread) },
                    MarkerColor: Color.fromHex(ColorOf(p.RunId)), MarkerSymbol: Symbol(p.Pruning)),
                p.KlSpread, p.MseSpread, ColorOf(p.RunId)),
            (string?)p.RunId)));
        var chart = Chart.Combine(traces.Select(t => t.Chart))
            .WithXAxisStyle<double, double, string>(
                TitleText: "KL(q(z|x) ‖ p(z)), nats: how much the codes say",
                AxisType: Axes.SpansDecades(tradeOff.Points.Select(p => p.Kl)) ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear)
            .WithYAxisStyle<double, double, string>(
                TitleText: "reconstruction MSE per pixel",
                AxisType: Axes.SpansDecades(tradeOff.Points.Select(p => p.Mse)) ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear);
        var per = tradeOff.Points.Any(p => p.MseSpread is not null) ? "one point per configuration, ± one sd over its replicates" : "one point per trial";
        return Figure("trade-off", $"Reconstruction error against KL, {per}", chart, traces.Select(t => t.Run).ToList());
    }

    public ChartFigure Effect(ParameterEffect effect, int index)
    {
        var ordered = effect.Points.ToList();
        var joined = ordered.Where(p => p.Pruning is null).ToList();
        var traces = new List<(GenericChart Chart, string? Run)>();
        // A pruned trial's point is hollow and says where it stopped on hover (as text; an empty text adds nothing).
        string[] Said(EffectPoint p) => [(p.Pruning?.Status ?? "") + Replicates(p.ElboSpread)];
        if (effect.Numeric)
        {
            if (effect.Joined)
            {
                traces.Add((Chart.Line<double, double, string>(
                    joined.Select(p => SweptValueOrder.AsNumber(p.Value)!.Value), joined.Select(p => p.Elbo),
                    Name: "in sweep order", ShowLegend: false, LineColor: Color.fromHex("#b0b0b0"), LineDash: StyleParam.DrawingStyle.Dot), null));
            }
            traces.AddRange(ordered.Select(p => (
                WithErrorBars(
                    Chart.Point<double, double, string>(
                        [SweptValueOrder.AsNumber(p.Value)!.Value], [p.Elbo], Name: p.Name, MultiText: Said(p),
                        MarkerColor: Color.fromHex(ColorOf(p.RunId)), MarkerSymbol: Symbol(p.Pruning)),
                    null, p.ElboSpread, ColorOf(p.RunId)),
                (string?)p.RunId)));
        }
        else
        {
            traces.AddRange(ordered.Select(p => (
                WithErrorBars(
                    Chart.Point<string, double, string>(
                        [p.Value], [p.Elbo], Name: p.Name, MultiText: Said(p), MarkerColor: Color.fromHex(ColorOf(p.RunId)), MarkerSymbol: Symbol(p.Pruning)),
                    null, p.ElboSpread, ColorOf(p.RunId)),
                (string?)p.RunId)));
        }
        var chart = Chart.Combine(traces.Select(t => t.Chart))
            .WithXAxisStyle<double, double, string>(
                TitleText: effect.Parameter.Key,
                AxisType: effect.LogX ? StyleParam.AxisType.Log : effect.Numeric ? StyleParam.AxisType.Linear : StyleParam.AxisType.Category)
            .WithYAxisStyle<double, double, string>(TitleText: $"{ReportMetrics.Ranking.Title} ({ReportMetrics.Ranking.Unit}), {ReportMetrics.Ranking.GoalText}");
        return Figure($"effect-{index}", $"{effect.Parameter.Title} against the held-out ELBO", chart, traces.Select(t => t.Run).ToList());
    }

    public ChartFigure Curves(Curves curves, string id)
    {
        var many = page.Rows.Count > VisibleCurves + 2;
        var traces = curves.Series.Select(series =>
        {
            var line = Chart.Line<double, double, string>(
                series.X, series.Y, Name: series.Name, ShowMarkers: series.X.Count <= 50, LineColor: Color.fromHex(ColorOf(series.RunId)));
            // Beyond the first few trials, curves start hidden (legend only) so that 200 trials stay readable.
            return many && rank.GetValueOrDefault(series.RunId, int.MaxValue) > VisibleCurves
                ? line.WithTraceInfo(Visible: StyleParam.Visible.LegendOnly)
                : line;
        }).ToList();
        var chart = Chart.Combine(traces)
            .WithXAxisStyle<double, double, string>(TitleText: curves.XTitle, AxisType: curves.LogX ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear)
            .WithYAxisStyle<double, double, string>(
                TitleText: curves.Metric.Unit.Length == 0 ? curves.Metric.Title : $"{curves.Metric.Title} ({curves.Metric.Unit}){(curves.Metric.GoalText is { } goal ? ", " + goal : "")}",
                AxisType: curves.LogY ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear);
        var figure = WithoutLongLegend(JsonNode.Parse(GenericChart.toFigureJson(chart))!);
        if (curves.XTitle == "epoch" && curves.Series.SelectMany(s => s.X).DefaultIfEmpty(1).Max() is var last)
        {
            // Whole epochs only: a one-epoch sweep's axis would otherwise read 0.5, 1, 1.5.
            var axis = figure["layout"]!["xaxis"]!;
            axis["tick0"] = 0;
            axis["dtick"] = IntegerStep(last);
        }
        return Figure(id, $"{curves.Metric.Title} by {curves.XTitle}", figure.ToJsonString(), curves.Series.Select(s => (string?)s.RunId).ToList());
    }

    /// <summary>
    /// ± one standard deviation over a configuration's replicates, in its colour; none for a point of one replicate
    /// (its standard deviation is not a number) or without replicates.
    /// </summary>
    private static GenericChart WithErrorBars(GenericChart chart, Spread? x, Spread? y, string color)
    {
        // Plotly.NET's F# optional arguments reach C# as FSharpOption parameters that must all be given (null is None).
        Plotly.NET.TraceObjects.Error Bar(double sd) => Plotly.NET.TraceObjects.Error.init<double, double>(
            Visible: FSharpOption<bool>.Some(true),
            Type: FSharpOption<StyleParam.ErrorType>.Some(StyleParam.ErrorType.Data),
            Symmetric: FSharpOption<bool>.Some(true),
            Array: FSharpOption<IEnumerable<double>>.Some([sd]),
            Arrayminus: null,
            ArrayEncoded: null,
            ArrayminusEncoded: null,
            Value: null,
            Valueminus: null,
            Traceref: null,
            Tracerefminus: null,
            Copy_ystyle: null,
            Color: FSharpOption<Color>.Some(Color.fromHex(color)),
            Thickness: FSharpOption<double>.Some(1.5),
            Width: FSharpOption<double>.Some(4));
        if (x is { Count: > 1, StandardDeviation: var dx } && !double.IsNaN(dx))
        {
            chart = Plotly.NET.Chart.withXError(Bar(dx)).Invoke(chart);
        }
        if (y is { Count: > 1, StandardDeviation: var dy } && !double.IsNaN(dy))
        {
            chart = Plotly.NET.Chart.withYError(Bar(dy)).Invoke(chart);
        }
        return chart;
    }

    /// <summary>What a point is the mean of, for its hover text.</summary>
    private static string Replicates(Spread? spread) => spread is { Count: var n } ? $" (mean ± sd of {n} replicate{(n == 1 ? "" : "s")})" : "";

    /// <summary>
    /// Hollow for a trial pruned early, filled for the others: its point is a real result, but from fewer epochs,
    /// so it stays on the chart (an ASHA sweep prunes most of its trials) marked as not comparable.
    /// </summary>
    private static StyleParam.MarkerSymbol Symbol(TrialPruning? pruning) =>
        pruning is null ? StyleParam.MarkerSymbol.Circle : StyleParam.MarkerSymbol.NewModified(StyleParam.MarkerSymbol.Circle, StyleParam.SymbolStyle.Open);

    private ChartFigure Figure(string id, string title, GenericChart chart, IReadOnlyList<string?> runs) =>
        Figure(id, title, WithoutLongLegend(JsonNode.Parse(GenericChart.toFigureJson(chart))!).ToJsonString(), runs);

    /// <summary>
    /// A search's trial names spell out every swept value, so a legend of them would take half a chart: there the trials
    /// are named on hover, and the table, the filter and the brushing choose which are shown.
    /// </summary>
    private JsonNode WithoutLongLegend(JsonNode figure)
    {
        if (page.Search is not null)
        {
            figure["layout"]!["showlegend"] = false;
        }
        return figure;
    }

    private static ChartFigure Figure(string id, string title, string figureJson, IReadOnlyList<string?> runs) =>
        // Prefixed, so that no chart takes the id of a section it sits in.
        new($"plot-{id}", title, figureJson, runs);
}
