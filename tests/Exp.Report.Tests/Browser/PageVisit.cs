using Microsoft.Playwright;

namespace Exp.Report.Tests.Browser;

/// <summary>A page opened in the browser, with every console error and every request it made.</summary>
public sealed class PageVisit : IAsyncDisposable
{
    private readonly List<string> errors = [];
    private readonly List<string> requests = [];

    private PageVisit(IPage page)
    {
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (errors)
                {
                    errors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add(error);
            }
        };
        page.Request += (_, request) =>
        {
            lock (requests)
            {
                requests.Add(request.Url);
            }
        };
    }

    public IPage Page { get; }

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (errors)
            {
                return errors.ToList();
            }
        }
    }

    /// <summary>Every URL requested, data: URIs (inline images) left out.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (requests)
            {
                return requests.Where(url => !url.StartsWith("data:", StringComparison.Ordinal)).ToList();
            }
        }
    }

    public static async Task<PageVisit> OpenAsync(IBrowser browser, string url)
    {
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var visit = new PageVisit(page);
        await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        return visit;
    }

    /// <summary>
    /// What a reader must see on a report page: a row per trial, every chart drawn (an SVG with
    /// traces in it, of non-zero size), and every picture decoded.
    /// </summary>
    public async Task AssertReportDrawsAsync(int trials)
    {
        Assert.Equal(trials, await Page.Locator("#trial-table tbody tr").CountAsync());
        var plots = await Page.EvaluateAsync<PlotState[]>("""
            () => Array.from(document.querySelectorAll('div.chart-plot')).map(p => {
              const box = p.getBoundingClientRect();
              return {
                id: p.id,
                width: box.width,
                height: box.height,
                svgs: p.querySelectorAll('svg.main-svg').length,
                traces: p.querySelectorAll('.scatterlayer .trace').length,
                canvases: p.querySelectorAll('canvas').length,
              };
            })
            """);
        Assert.NotEmpty(plots);
        Assert.All(plots, plot => Assert.True(
            plot.Width > 100 && plot.Height > 100 && plot.Svgs > 0 && plot.Traces + plot.Canvases > 0,
            $"chart {plot.Id} did not draw: {plot}"));
        var images = await Page.EvaluateAsync<ImageState[]>(
            "() => Array.from(document.images).map(i => ({ alt: i.alt, complete: i.complete, naturalWidth: i.naturalWidth }))");
        Assert.NotEmpty(images);
        Assert.All(images, image => Assert.True(image.Complete && image.NaturalWidth > 0, $"image '{image.Alt}' did not decode"));
    }

    public async ValueTask DisposeAsync() => await Page.CloseAsync();

    // Playwright fills these from the page's JSON, so they need setters.
    public sealed class PlotState
    {
        public string Id { get; set; } = "";
        public double Width { get; set; }
        public double Height { get; set; }
        public int Svgs { get; set; }
        public int Traces { get; set; }
        public int Canvases { get; set; }

        public override string ToString() => $"{Width}x{Height}, {Svgs} svg, {Traces} traces, {Canvases} canvases";
    }

    public sealed class ImageState
    {
        public string Alt { get; set; } = "";
        public bool Complete { get; set; }
        public int NaturalWidth { get; set; }
    }
}
