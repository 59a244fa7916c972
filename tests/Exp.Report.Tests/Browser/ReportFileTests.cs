using Exp.Testing;
using Microsoft.Playwright;

namespace Exp.Report.Tests.Browser;

/// <summary>The report file of a small real sweep, opened in headless Chromium.</summary>
[Collection(SmallSweepCollection.Name)]
public sealed class ReportFileTests(SmallSweep sweep)
{
    [Fact]
    public void Exp_run_writes_the_sweeps_report_as_an_artifact_of_its_run_and_prints_its_path()
    {
        Assert.True(File.Exists(sweep.RunReport), sweep.Run.ToString());
        Assert.Equal(Path.Combine("artifacts", Reports.SweepArtifact), Path.GetRelativePath(Path.GetDirectoryName(Path.GetDirectoryName(sweep.RunReport)!)!, sweep.RunReport));
        Assert.StartsWith(sweep.Runs, sweep.RunReport, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_report_opens_offline_with_no_error_a_row_per_trial_every_chart_drawn_and_every_image_decoded()
    {
        var file = await WriteReportAsync("report.html", "kl.yaml");

        await using var visit = await PageVisit.OpenAsync(sweep.Browser, new Uri(file).AbsoluteUri);

        await visit.AssertReportDrawsAsync(SmallSweep.TrialCount);
        Assert.Empty(visit.Errors);
        Assert.Equal([new Uri(file).AbsoluteUri], visit.Requests);
        await visit.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SmallSweep.ScreenshotFolder, "small-sweep-report.png"), FullPage = true });
    }

    [Fact]
    public async Task At_common_widths_every_picture_and_chart_fits_and_no_chart_label_overlaps_another()
    {
        await using var visit = await PageVisit.OpenAsync(sweep.Browser, new Uri(await WriteReportAsync("widths.html")).AbsoluteUri);
        var finished = SmallSweep.TrialCount - 1;
        // Each finished trial's row holds both figures beside its grids, as in the main example, where they were cropped.
        Assert.Equal(finished, await visit.Page.Locator("figure.trial img.extra[alt^='KL per latent dimension']").CountAsync());
        Assert.Equal(finished, await visit.Page.Locator("figure.trial img.extra[alt^='proposal comparison']").CountAsync());
        // Both sample grids: the prior's (std 1) and the same draws at the default eval.sample_std 0.85; the notes' question per finished trial.
        Assert.Equal(finished, await visit.Page.Locator("figure.trial img.samples_tempered").CountAsync());
        Assert.Equal(finished, await visit.Page.Locator("#proposals tbody tr").CountAsync());

        foreach (var width in PageVisit.CommonWidths)
        {
            await visit.AssertEverythingReadableAtAsync(width);
            await visit.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(SmallSweep.ScreenshotFolder, $"small-sweep-report-{width}.png"), FullPage = true });
        }
        Assert.Empty(visit.Errors);
    }

    [Fact]
    public async Task A_failed_trial_shows_its_reason_and_the_filter_limits_the_table_the_charts_and_the_pictures()
    {
        await using var visit = await PageVisit.OpenAsync(sweep.Browser, new Uri(await WriteReportAsync("filter.html")).AbsoluteUri);
        var page = visit.Page;

        var failed = page.Locator("#trial-table tbody tr.failed");
        Assert.Equal(1, await failed.CountAsync());
        Assert.Contains(SmallSweep.DivergingTrial, await failed.InnerTextAsync());
        Assert.Matches("(?i)step|nan|finite|diverg", await failed.Locator(".reason").InnerTextAsync());
        Assert.Equal(SmallSweep.TrialCount, await page.Locator("#trial-table tbody tr:visible").CountAsync());

        await page.Locator("#filter").FillAsync("kl_weight=0.5");

        Assert.Equal(1, await page.Locator("#trial-table tbody tr:visible").CountAsync());
        Assert.Equal(1, await page.Locator("figure.trial:visible").CountAsync());
        var shownCurves = await page.EvaluateAsync<int>(
            "() => document.getElementById('plot-curve-0').data.filter(t => t.visible === true || t.visible === undefined).length");
        Assert.Equal(1, shownCurves);

        await page.Locator("#filter").FillAsync("");

        Assert.Equal(SmallSweep.TrialCount, await page.Locator("#trial-table tbody tr:visible").CountAsync());
        Assert.Empty(visit.Errors);
    }

    [Fact]
    public async Task Earlier_epochs_are_one_click_away_and_sorting_a_column_reorders_the_rows()
    {
        await using var visit = await PageVisit.OpenAsync(sweep.Browser, new Uri(await WriteReportAsync("epochs.html")).AbsoluteUri);
        var page = visit.Page;
        var first = page.Locator("figure.trial").First;
        var lastEpochSource = await first.Locator("img.samples").GetAttributeAsync("src");

        await first.Locator(".epochs button[data-epoch='1']").ClickAsync();

        var samples = first.Locator("img.samples");
        Assert.Equal("samples, epoch 1", await samples.GetAttributeAsync("alt"));
        Assert.NotEqual(lastEpochSource, await samples.GetAttributeAsync("src"));
        await page.WaitForFunctionAsync("() => Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)");

        await page.Locator("#trial-table th", new PageLocatorOptions { HasText = "ELBO" }).First.ClickAsync();

        var elbos = await page.EvaluateAsync<string[]>("""
            () => {
              const column = Array.from(document.querySelectorAll('#trial-table th')).findIndex(h => h.textContent.startsWith('ELBO'));
              return Array.from(document.querySelectorAll('#trial-table tbody tr')).map(r => r.cells[column].dataset.v);
            }
            """);
        var present = elbos.Where(v => v.Length > 0).Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(present.Order(), present);
        Assert.Empty(visit.Errors);
    }

    /// <summary>`exp report` of the sweep, named as users name it: by its spec file, or by its name (the spec file's).</summary>
    private async Task<string> WriteReportAsync(string name, string what = "kl")
    {
        var file = Path.Combine(sweep.Directory, name);
        var result = await ExpProcess.RunAsync(sweep.Directory, "report", what, "-o", file);
        return result.ExitCode == 0 ? file : throw new InvalidOperationException(result.ToString());
    }
}
