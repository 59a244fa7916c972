using System.Net;
using Exp.Report.Serving;
using Exp.Testing;
using Microsoft.Playwright;

namespace Exp.Report.Tests.Browser;

/// <summary>The report of a real grid + ASHA sweep, in headless Chromium: pruned trials are real partial results, never finished ones.</summary>
public sealed class PrunedTrialReportTests(PrunedSweep sweep) : IClassFixture<PrunedSweep>
{
    [Fact]
    public async Task Pruned_trials_read_pruned_at_their_epoch_with_why_on_hover_after_the_trained_one_never_starred_counted_apart_and_hollow_on_the_charts()
    {
        var file = Path.Combine(sweep.Directory, "report.html");
        var report = await ExpProcess.RunAsync(sweep.Directory, "report", PrunedSweep.Name, "-o", file);
        Assert.True(report.ExitCode == 0, report.ToString());

        await using var visit = await PageVisit.OpenAsync(sweep.Browser, new Uri(file).AbsoluteUri);
        var page = visit.Page;
        await visit.AssertReportDrawsAsync(PrunedSweep.TrialCount);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SmallSweep.ScreenshotFolder, "pruned-sweep-report.png"), FullPage = true });
        await page.Locator("#trials").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(SmallSweep.ScreenshotFolder, "pruned-sweep-trials.png") });
        await page.Locator("#trade-off").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(SmallSweep.ScreenshotFolder, "pruned-sweep-trade-off.png") });

        // The table: the trial trained to the end first, with the stars; then the pruned ones, saying where and why.
        var rows = page.Locator("#trial-table tbody tr");
        var trained = rows.First;
        Assert.Equal("finished", await trained.Locator("td").Nth(2).InnerTextAsync());
        Assert.True(await trained.Locator("td.best").CountAsync() > 0);
        var trainedName = await TrialNameAsync(trained);
        var pruned = page.Locator("#trial-table tbody tr.pruned");
        Assert.Equal(PrunedSweep.Pruned, await pruned.CountAsync());
        var prunedNames = new List<string>();
        for (var i = 0; i < PrunedSweep.Pruned; i++)
        {
            var row = rows.Nth(1 + i);
            Assert.Equal("pruned", await row.GetAttributeAsync("class"));
            var status = row.Locator("td").Nth(2).Locator("span.pruned");
            Assert.Equal("pruned at 1/2", await status.InnerTextAsync());
            Assert.StartsWith("stopped at 1 of 2 epochs: eval/elbo ", await status.GetAttributeAsync("title"));
            Assert.Equal(0, await row.Locator("td.best").CountAsync());
            prunedNames.Add(await TrialNameAsync(row));
        }
        Assert.Equal($"{PrunedSweep.TrialCount} trials, 1 finished, {PrunedSweep.Pruned} pruned", (await page.Locator("header .summary").InnerTextAsync()).Split(" · ")[0]);
        Assert.Contains($"best held-out ELBO: {trainedName} (", await page.Locator("header .summary").InnerTextAsync());

        // Their pictures stay, captioned; their points stay on the charts, hollow, and say so on hover.
        foreach (var name in prunedNames)
        {
            var figure = page.Locator("figure.trial", new PageLocatorOptions { HasText = name });
            Assert.Equal("pruned at 1/2", await figure.Locator("figcaption small.pruned").InnerTextAsync());
            Assert.Equal(1, await figure.Locator("img.samples").CountAsync());
        }
        // As drawn: a hollow point has no fill, only its trial's colour as outline; every other point is filled.
        var points = await page.EvaluateAsync<string[][]>("""
            () => Array.from(document.querySelectorAll('#trade-off div.chart-plot')).flatMap(plot =>
              Array.from(plot.querySelectorAll('.scatterlayer .trace')).flatMap((trace, i) =>
                Array.from(trace.querySelectorAll('path.point')).map(point => [plot.id, plot.data[i].name, point.style.fill])))
            """);
        Assert.Equal(2 * PrunedSweep.TrialCount, points.Length); // the trade-off and the KL weight against the ELBO
        Assert.All(points, p => Assert.True(prunedNames.Contains(p[1]) == (p[2] == "none"), string.Join(" ", p)));
        var hollow = Array.FindIndex(points, p => p[0] == "plot-trade-off" && p[2] == "none");
        // Trace 0 is the dotted line in sweep order; then one trace per trial.
        await page.EvaluateAsync("trace => Plotly.Fx.hover('plot-trade-off', [{ curveNumber: trace, pointNumber: 0 }])", hollow + 1);
        await page.WaitForFunctionAsync(
            "() => document.querySelector('#plot-trade-off .hoverlayer').textContent.includes('pruned at 1/2')", null, new PageWaitForFunctionOptions { Timeout = 5_000 });
        Assert.Equal(PrunedSweep.TrialCount, await page.EvaluateAsync<int>("() => document.getElementById('plot-curve-0').data.length"));
        Assert.Empty(visit.Errors);
        Assert.Equal([new Uri(file).AbsoluteUri], visit.Requests);
    }

    [Fact]
    public async Task The_list_of_sweeps_counts_the_pruned_trials_and_names_the_trained_one_best()
    {
        await using var server = await ReportServer.StartAsync(sweep.Runs, IPAddress.Loopback, 0);
        await using var visit = await PageVisit.OpenAsync(sweep.Browser, server.Address.AbsoluteUri);

        var row = visit.Page.Locator("#sweep-table tbody tr").First;
        Assert.Equal($"{PrunedSweep.TrialCount}, {PrunedSweep.Pruned} pruned", await row.Locator("td").Nth(3).InnerTextAsync());
        await visit.Page.Locator("#sweep-table a[href^='/sweeps/']").First.ClickAsync();
        await visit.Page.WaitForURLAsync("**/sweeps/**");
        var trained = await TrialNameAsync(visit.Page.Locator("#trial-table tbody tr").First);

        await visit.Page.GoBackAsync();
        Assert.EndsWith($"({trained})", await visit.Page.Locator("#sweep-table tbody tr").First.Locator("td").Nth(4).InnerTextAsync());
        Assert.Empty(visit.Errors);
    }

    /// <summary>The trial's name as its row shows it, without its id below.</summary>
    private static async Task<string> TrialNameAsync(ILocator row) =>
        await row.Locator("td").Nth(1).EvaluateAsync<string>("cell => cell.childNodes[1].textContent");
}
