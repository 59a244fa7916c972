using System.Text.Json.Nodes;
using Exp.Report.Html;
using Exp.Report.Model;
using Exp.Spec;
using Exp.Tracking.Model;
using static Exp.Report.Tests.Model.TrialSources;

namespace Exp.Report.Tests.Model;

/// <summary>A sweep with replicates: configurations by their mean, spreads in the table, error bars on the charts.</summary>
public sealed class ReplicatePageTests
{
    private static readonly string Elbo = ReportMetrics.Elbo.Key;
    private static readonly string Mse = ReportMetrics.Mse.Key;
    private static readonly string Kl = ReportMetrics.Kl.Key;

    /// <summary>A replicate of the configuration kl_weight=<paramref name="weight"/> at <paramref name="seed"/>, as exp tags its run.</summary>
    private static TrialSource Replicate(string weight, int seed, double elbo, double kl, double mse, RunStatus status = RunStatus.Finished)
    {
        var parameters = KlWeight(weight);
        parameters["seed"] = seed.ToString();
        return Trial($"kl_weight={weight},seed={seed}", status, parameters, new() { [Elbo] = [elbo], [Kl] = [kl], [Mse] = [mse] }) with { ConfigGroup = $"group-{weight}" };
    }

    private static double Sd(params double[] values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }

    private static ReportPage Page() => ReportPageBuilder.Build(Source(
        // 0.1 has the best single replicate (400), 1 the best mean (380 vs 300); the third replicate of 10 is still running.
        Replicate("0.1", 0, 400, 120, 0.0150), Replicate("0.1", 1, 200, 110, 0.0160),
        Replicate("1", 0, 390, 50, 0.0170), Replicate("1", 1, 370, 54, 0.0172),
        Replicate("10", 0, 250, 12, 0.0260), Replicate("10", 1, 260, 13, 0.0250), Replicate("10", 2, 900, 2, 0.09, RunStatus.Running)));

    [Fact]
    public void Configurations_rank_by_their_mean_with_the_sample_sd_and_n_of_their_finished_replicates()
    {
        var page = Page();
        Assert.Equal(["kl_weight=1", "kl_weight=0.1", "kl_weight=10"], page.Configurations.Select(c => c.Name));
        Assert.Equal([2, 2, 2], page.Configurations.Select(c => c.Finished));
        Assert.Equal(3, page.Configurations[2].RunIds.Count);
        var elbo = page.Columns.ToList().FindIndex(c => c.Key == Elbo);
        var best = page.Configurations[0].Cells[elbo];
        Assert.True(best.Best);
        Assert.Equal(380, best.Spread!.Value.Mean, 12);
        Assert.Equal(Sd(390, 370), best.Spread.Value.StandardDeviation, 12);
        Assert.Equal(2, best.Spread.Value.Count);
        Assert.False(page.Configurations[1].Cells[elbo].Best);
        // The running replicate (ELBO 900) counts towards neither the mean nor n.
        Assert.Equal(255, page.Configurations[2].Cells[elbo].Spread!.Value.Mean, 12);
        // Trial rows carry their configuration's rank, each configuration's replicates together.
        Assert.Equal([1, 1, 2, 2, 3, 3, 3], page.Rows.Select(r => r.Rank));
        Assert.Equal(["kl_weight=1,seed=0", "kl_weight=1,seed=1"], page.Rows.Take(2).Select(r => r.Name).Order());
        // The seed is what replicates differ in, not a swept value.
        Assert.Equal(["kl_weight"], page.Swept.Select(s => s.Title));
    }

    [Fact]
    public void The_trade_off_and_the_elbo_chart_plot_each_configuration_at_its_mean_with_error_bars_of_one_sd()
    {
        var page = Page();
        var points = page.TradeOff!.Points;
        Assert.Equal(["0.1", "1", "10"], points.Select(p => p.Label));
        Assert.Equal([115.0, 52.0, 12.5], points.Select(p => p.Kl));
        Assert.Equal(0.0155, points[0].Mse, 12);
        Assert.Equal(Sd(120, 110), points[0].KlSpread!.Value.StandardDeviation, 12);
        Assert.Equal(Sd(0.0150, 0.0160), points[0].MseSpread!.Value.StandardDeviation, 12);
        Assert.Equal(2, points[2].MseSpread!.Value.Count);
        var effect = Assert.Single(page.Effects);
        Assert.Equal([300.0, 380.0, 255.0], effect.Points.Select(p => p.Elbo));
        Assert.Equal(Sd(400, 200), effect.Points[0].ElboSpread!.Value.StandardDeviation, 12);

        // The figures carry those bars: plotly's error_x / error_y arrays on each configuration's point.
        var charts = new ReportCharts(page);
        var tradeOff = JsonNode.Parse(charts.TradeOff(page.TradeOff).FigureJson)!["data"]!.AsArray();
        var first = tradeOff.Single(trace => trace!["name"]!.GetValue<string>() == "kl_weight=0.1")!;
        Assert.Equal(Sd(120, 110), first["error_x"]!["array"]![0]!.GetValue<double>(), 12);
        Assert.Equal(Sd(0.0150, 0.0160), first["error_y"]!["array"]![0]!.GetValue<double>(), 12);
        var elboChart = JsonNode.Parse(charts.Effect(effect, 0).FigureJson)!["data"]!.AsArray();
        Assert.Equal(Sd(390, 370), elboChart.Single(trace => trace!["name"]!.GetValue<string>() == "kl_weight=1")!["error_y"]!["array"]![0]!.GetValue<double>(), 12);
    }

    [Fact]
    public void Without_replicates_the_page_has_no_configurations_and_no_error_bars()
    {
        var page = ReportPageBuilder.Build(Source(
            Trial("a", parameters: KlWeight("0.1"), perEpoch: new() { [Elbo] = [1.0], [Kl] = [3.0], [Mse] = [0.04] }),
            Trial("b", parameters: KlWeight("1"), perEpoch: new() { [Elbo] = [2.0], [Kl] = [2.0], [Mse] = [0.05] })));
        Assert.Empty(page.Configurations);
        Assert.All(page.TradeOff!.Points, p => Assert.Null(p.MseSpread));
        var figure = JsonNode.Parse(new ReportCharts(page).TradeOff(page.TradeOff).FigureJson)!["data"]!.AsArray();
        Assert.All(figure, trace => Assert.Null(trace!["error_y"]));
        Assert.Equal(["a", "b"], page.Rows.Select(r => r.Name).Order());
    }
}
