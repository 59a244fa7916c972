using Exp.Report.Html;
using Exp.Report.Model;
using Exp.Spec;
using Microsoft.Playwright;
using static Exp.Report.Tests.Model.TrialSources;

namespace Exp.Report.Tests.Browser;

/// <summary>The trade-off chart when trials crowd together, as they do after a short sweep.</summary>
[Collection(SmallSweepCollection.Name)]
public sealed class TradeOffChartTests(SmallSweep sweep)
{
    /// <summary>The last KL and reconstruction error of a 2-epoch KL sweep on 2,000 images: weights 0.03 and 0.3 end 8 nats and 0.0002 apart.</summary>
    private static readonly (string KlWeight, double Kl, double Mse)[] ShortSweep =
    [
        ("0.03", 97.25, 0.08458), ("0.3", 89.38, 0.08474), ("3", 42.34, 0.08564), ("30", 8.845, 0.09587), ("300", 0.2893, 0.1421),
    ];

    [Fact]
    public async Task Crowded_points_leave_no_label_over_another_and_hovering_any_point_names_its_trial()
    {
        var page = ReportPageBuilder.Build(Source(ShortSweep
            .Select(p => Trial($"kl_weight={p.KlWeight}", parameters: KlWeight(p.KlWeight), perEpoch: new()
            {
                [ReportMetrics.Elbo.Key] = [-2300.0],
                [ReportMetrics.Kl.Key] = [p.Kl],
                [ReportMetrics.Mse.Key] = [p.Mse],
            }))
            .ToArray()));
        var file = Path.Combine(sweep.Directory, "crowded-trade-off.html");
        await File.WriteAllTextAsync(file, ReportHtml.Render(page, ReportHtmlOptions.File));

        await using var visit = await PageVisit.OpenAsync(sweep.Browser, new Uri(file).AbsoluteUri);
        foreach (var width in PageVisit.CommonWidths)
        {
            await visit.AssertEverythingReadableAtAsync(width);
        }
        await visit.Page.Locator("#trade-off").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(SmallSweep.ScreenshotFolder, "crowded-trade-off.png") });

        // Trace 0 is the dotted line in sweep order; then one trace per trial. Plotly draws a hover at most every 50 ms, so each is awaited.
        foreach (var (point, trace) in ShortSweep.Select((p, i) => (p, i + 1)))
        {
            await visit.Page.EvaluateAsync("trace => Plotly.Fx.hover('plot-trade-off', [{ curveNumber: trace, pointNumber: 0 }])", trace);
            var named = $"kl_weight={point.KlWeight}";
            await visit.Page.WaitForFunctionAsync(
                "name => document.querySelector('#plot-trade-off .hoverlayer').textContent.startsWith(name + '(')", named);
        }
        Assert.Empty(visit.Errors);
    }
}
