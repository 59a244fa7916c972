using System.Globalization;
using Microsoft.Playwright;

namespace Exp.Report.Tests.Browser;

/// <summary>The page of a real TPE search over three parameters, in headless Chromium.</summary>
public sealed class SearchPageTests(TpeSearch search) : IClassFixture<TpeSearch>
{
    [Fact]
    public async Task The_table_comes_first_then_parallel_coordinates_importance_and_history_drawn_on_axes_that_match_the_sampling()
    {
        await using var visit = await PageVisit.OpenAsync(search.Browser, new Uri(search.Report).AbsoluteUri);
        var page = visit.Page;
        await visit.AssertReportDrawsAsync(TpeSearch.TrialCount);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Shot("tpe-search-report.png"), FullPage = true });
        await page.Locator("#search").ScreenshotAsync(new LocatorScreenshotOptions { Path = Shot("tpe-search-parameters.png") });

        var sections = await page.EvaluateAsync<string[]>("() => Array.from(document.querySelectorAll('body > section')).map(s => s.id)");
        Assert.Equal(["trials", "search", "trade-off", "pictures"], sections.Take(4));

        // Parallel coordinates: an axis per parameter, log where sampled log-uniform (ticks naming the values), the
        // choice's categories in the spec's order, and the objective; one line per trial.
        var axes = await page.EvaluateAsync<string[]>("() => Array.from(document.querySelectorAll('#plot-parallel .axis-title')).map(t => t.textContent)");
        Assert.Equal(["kl_weight (log)", "activation", "lr (log)", "ELBO"], axes);
        var ticks = await page.EvaluateAsync<string[][]>(
            "() => Array.from(document.querySelectorAll('#plot-parallel g.y-axis')).map(a => Array.from(a.querySelectorAll('.tick text')).map(t => t.textContent))");
        Assert.Equal(["0.01", "0.1", "1", "10", "100"], ticks[0]);
        Assert.Equal(["relu", "leaky_relu", "silu"], ticks[1]);
        Assert.Equal(["0.0001", "0.001", "0.01"], ticks[2]);
        Assert.Equal(TpeSearch.TrialCount, await page.EvaluateAsync<int>("() => document.getElementById('plot-parallel').data[0].dimensions[0].values.length"));
        // The lines run through log10 of a log-uniform value: the lr axis holds the table's learning rates so.
        var lrs = await ColumnAsync(page, "lr");
        var plotted = await page.EvaluateAsync<double[]>("() => document.getElementById('plot-parallel').data[0].dimensions[2].values");
        Assert.Equal(lrs.Order().Select(Math.Log10), plotted.Order(), new Tolerance(1e-12));

        // Importance: a bar per parameter, shares of one.
        Assert.Equal(3, await page.Locator("#plot-importance .barlayer .point").CountAsync());
        var shares = await page.EvaluateAsync<double[]>("() => document.getElementById('plot-importance').data[0].x");
        Assert.Equal(1, shares.Sum(), 1e-9);
        Assert.Equal(["activation", "kl_weight", "lr"], (await page.EvaluateAsync<string[]>("() => document.getElementById('plot-importance').data[0].y")).Order());

        // History: a point per trial in the order they started, and the best so far.
        Assert.Equal(TpeSearch.TrialCount + 1, await page.EvaluateAsync<int>("() => document.getElementById('plot-history').data.length"));

        // Each parameter against the ELBO on its own axis type, and no line anywhere that would claim an order among sampled points.
        var types = await page.EvaluateAsync<string[][]>("""
            () => Array.from(document.querySelectorAll('#trade-off figure.chart')).map(f =>
              [f.querySelector('figcaption').textContent, f.querySelector('div.chart-plot')._fullLayout.xaxis.type])
            """);
        Assert.Contains(["kl_weight against the held-out ELBO", "log"], types);
        Assert.Contains(["lr against the held-out ELBO", "log"], types);
        Assert.Contains(["activation against the held-out ELBO", "category"], types);
        var modes = await page.EvaluateAsync<string[]>(
            "() => Array.from(document.querySelectorAll('#trade-off div.chart-plot')).flatMap(p => p.data.map(t => t.mode || 'markers'))");
        Assert.All(modes, mode => Assert.DoesNotContain("lines", mode));
        Assert.Empty(visit.Errors);
        Assert.Equal([new Uri(search.Report).AbsoluteUri], visit.Requests);
    }

    [Fact]
    public async Task Brushing_the_objective_axis_keeps_only_the_trials_in_its_range_in_the_table_the_charts_and_the_pictures()
    {
        await using var visit = await PageVisit.OpenAsync(search.Browser, new Uri(search.Report).AbsoluteUri);
        var page = visit.Page;
        var elbos = await ColumnAsync(page, "ELBO");

        // Drag along the ELBO axis from its top to a little below its middle, as a reader would.
        var axis = await page.Locator("#plot-parallel .axis-brush rect.background").Nth(3).BoundingBoxAsync();
        var x = axis!.X + axis.Width / 2f;
        await page.Mouse.MoveAsync(x, axis.Y + 2);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(x, axis.Y + axis.Height * 0.55f, new MouseMoveOptions { Steps = 10 });
        await page.Mouse.UpAsync();
        await page.WaitForFunctionAsync("() => document.getElementById('brushed').textContent.length > 0");
        await page.Locator("#search").ScreenshotAsync(new LocatorScreenshotOptions { Path = Shot("tpe-search-brushed.png") });

        var range = await page.EvaluateAsync<double[]>("() => document.getElementById('plot-parallel').data[0].dimensions[3].constraintrange.flat()");
        var kept = elbos.Count(v => v >= range[0] && v <= range[1]);
        Assert.InRange(kept, 1, TpeSearch.TrialCount - 1);
        var shown = await ColumnAsync(page, "ELBO", visibleOnly: true);
        Assert.Equal(kept, shown.Count);
        Assert.All(shown, v => Assert.InRange(v, range[0], range[1]));
        Assert.Equal(kept, await page.Locator("figure.trial:visible").CountAsync());
        Assert.Equal(kept, await page.EvaluateAsync<int>(
            "() => document.getElementById('plot-curve-0').data.filter(t => t.visible === true || t.visible === undefined).length"));
        Assert.Equal($"brushed: {kept} of {TpeSearch.TrialCount} trials", await page.Locator("#brushed").InnerTextAsync());

        await page.EvaluateAsync("() => Plotly.restyle('plot-parallel', { 'dimensions[3].constraintrange': null })");

        Assert.Equal(TpeSearch.TrialCount, await page.Locator("#trial-table tbody tr:visible").CountAsync());
        Assert.Equal(TpeSearch.TrialCount, await page.Locator("figure.trial:visible").CountAsync());
        Assert.Empty(visit.Errors);
    }

    [Fact]
    public async Task A_numeric_filter_compares_a_columns_values_as_numbers_not_as_text()
    {
        await using var visit = await PageVisit.OpenAsync(search.Browser, new Uri(search.Report).AbsoluteUri);
        var page = visit.Page;
        var weights = await ColumnAsync(page, "kl_weight");
        var elbos = await ColumnAsync(page, "ELBO");

        foreach (var (filter, expected) in new (string, int)[]
        {
            ("kl_weight>=3", weights.Count(w => w >= 3)),
            ("kl_weight < 3", weights.Count(w => w < 3)),
            ($"elbo>{elbos.Order().ElementAt(2).ToString("R", CultureInfo.InvariantCulture)}", TpeSearch.TrialCount - 3),
            ("lr<=0.001 activation=relu", -1),
        })
        {
            await page.Locator("#filter").FillAsync(filter);
            var rows = await page.Locator("#trial-table tbody tr:visible").CountAsync();
            if (expected >= 0)
            {
                Assert.True(expected == rows, $"{filter}: {rows} rows, expected {expected}");
            }
            Assert.Equal($"{rows} of {TpeSearch.TrialCount} trials", await page.Locator("#shown").InnerTextAsync());
        }
        // Every shown row meets both conditions, and every row that meets them is shown.
        var lrs = await ColumnAsync(page, "lr");
        var activations = await page.EvaluateAsync<string[]>(Cells("activation", visibleOnly: false));
        var both = lrs.Zip(activations).Count(p => p.First <= 0.001 && p.Second == "relu");
        Assert.Equal(both, await page.Locator("#trial-table tbody tr:visible").CountAsync());
        Assert.Empty(visit.Errors);
    }

    [Fact]
    public async Task At_1280_pixels_the_table_fits_without_scrolling_and_every_chart_and_picture_fits()
    {
        await using var visit = await PageVisit.OpenAsync(search.Browser, new Uri(search.Report).AbsoluteUri);
        await visit.AssertEverythingReadableAtAsync(1280);
        var widths = await visit.Page.EvaluateAsync<int[]>(
            "() => { const w = document.querySelector('#trials .table-wrap'); return [w.scrollWidth, w.clientWidth]; }");
        Assert.True(widths[0] <= widths[1], $"the table is {widths[0]} px wide in {widths[1]} px");
        await visit.Page.Locator("#trials").ScreenshotAsync(new LocatorScreenshotOptions { Path = Shot("tpe-search-table-1280.png") });
        Assert.Empty(visit.Errors);
    }

    [Fact]
    public async Task Comparing_two_ticked_trials_shows_only_the_config_keys_they_differ_in_their_metrics_and_their_grids_at_one_epoch()
    {
        await using var visit = await PageVisit.OpenAsync(search.Browser, new Uri(search.Report).AbsoluteUri);
        var page = visit.Page;
        var rows = page.Locator("#trial-table tbody tr");
        var runs = new[] { await rows.Nth(0).GetAttributeAsync("data-run"), await rows.Nth(3).GetAttributeAsync("data-run") };
        Assert.True(await page.Locator("#compare-button").IsDisabledAsync());

        await rows.Nth(0).Locator("input.pick").CheckAsync();
        await rows.Nth(3).Locator("input.pick").CheckAsync();
        await page.Locator("#compare-button").ClickAsync();

        // The keys in which their runs' params differ, read from the store's files.
        var differing = ParamsOf(runs[0]!).Concat(ParamsOf(runs[1]!)).GroupBy(p => p.Key)
            .Where(g => g.Count() == 1 || g.Select(p => p.Value).Distinct().Count() > 1).Select(g => g.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Contains("train.lr", differing);
        var shown = await page.Locator("#compare tr.config th").AllInnerTextsAsync();
        Assert.Equal(differing, shown);
        // A swept number reads at four significant digits, as in the table; the exact stored value is on hover.
        var lr = page.Locator("#compare tr.config").Filter(new LocatorFilterOptions { HasText = "train.lr" }).First.Locator("td span");
        var exact = await lr.EvaluateAllAsync<string[]>("spans => spans.map(s => s.title)");
        var shownLr = await lr.AllInnerTextsAsync();
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(ParamsOf(runs[i]!).Single(p => p.Key == "train.lr").Value, exact[i]);
            var value = double.Parse(exact[i], CultureInfo.InvariantCulture);
            Assert.Equal(double.Parse(value.ToString("G4", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), double.Parse(shownLr[i], CultureInfo.InvariantCulture));
        }
        var metrics = await page.Locator("#compare tr.metric th").AllInnerTextsAsync();
        Assert.Contains("ELBO", metrics);
        var elbos = await page.Locator("#compare tr.metric").Filter(new LocatorFilterOptions { HasText = "ELBO" }).First.Locator("td").AllInnerTextsAsync();
        Assert.Equal([await rows.Nth(0).Locator("td").Nth(6).InnerTextAsync(), await rows.Nth(3).Locator("td").Nth(6).InnerTextAsync()], elbos);
        var pictures = await page.EvaluateAsync<string[]>("() => Array.from(document.querySelectorAll('#compare tr.picture img')).map(i => i.alt)");
        Assert.Equal(["samples, epoch 1", "samples, epoch 1", "samples_tempered, epoch 1", "samples_tempered, epoch 1", "reconstructions, epoch 1", "reconstructions, epoch 1"], pictures);
        await page.WaitForFunctionAsync("() => Array.from(document.querySelectorAll('#compare img')).every(i => i.complete && i.naturalWidth > 0)");
        await page.Locator("#compare").ScreenshotAsync(new LocatorScreenshotOptions { Path = Shot("tpe-search-compare.png") });
        Assert.Empty(visit.Errors);
    }

    /// <summary>A run's params as the store keeps them: a file per key under the run's folder.</summary>
    private IEnumerable<KeyValuePair<string, string>> ParamsOf(string runId)
    {
        var folder = Directory.GetDirectories(Path.Combine(search.Directory, "runs"), runId, SearchOption.AllDirectories).Single();
        return Directory.GetFiles(Path.Combine(folder, "params")).Select(f => KeyValuePair.Create(Path.GetFileName(f), File.ReadAllText(f)));
    }

    private static string Shot(string name) => Path.Combine(SmallSweep.ScreenshotFolder, name);

    /// <summary>A column's exact values (data-v) by its heading's name, in the table's order.</summary>
    private static async Task<List<double>> ColumnAsync(IPage page, string name, bool visibleOnly = false) =>
        (await page.EvaluateAsync<string[]>(Cells(name, visibleOnly))).Where(v => v.Length > 0).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();

    private static string Cells(string name, bool visibleOnly) => $$"""
        () => {
          const column = Array.from(document.querySelectorAll('#trial-table th')).findIndex(h => h.dataset.name === '{{name}}');
          return Array.from(document.querySelectorAll('#trial-table tbody tr')).filter(r => {{(visibleOnly ? "!r.hidden" : "true")}}).map(r => r.cells[column].dataset.v);
        }
        """;

    private sealed class Tolerance(double within) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= within;

        public int GetHashCode(double value) => 0;
    }
}
