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
                traces: p.querySelectorAll('.scatterlayer .trace, .barlayer .trace').length,
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

    /// <summary>Screen widths a report must fit: a laptop, the width the other tests use, a desktop.</summary>
    public static readonly int[] CommonWidths = [1280, 1400, 1920];

    /// <summary>
    /// Resizes the window and checks that nothing a reader must see is cut off at that width: no picture sticks out of its
    /// trial's box (the row would crop it behind a scrollbar), no chart draws wider than its box, the page needs no sideways
    /// scrolling, and no label drawn on a chart's points overlaps another or sticks out of its chart.
    /// </summary>
    public async Task AssertEverythingReadableAtAsync(int width)
    {
        await Page.SetViewportSizeAsync(width, 1000);
        try
        {
            // Plotly redraws a responsive chart shortly after the window's resize event.
            await Page.WaitForFunctionAsync($"() => ({Problems}).length === 0");
        }
        catch (TimeoutException)
        {
            // Reported below, with what is wrong.
        }
        var problems = await Page.EvaluateAsync<string[]>(Problems);
        Assert.True(problems.Length == 0, $"at {width} px: {string.Join("; ", problems)}");
    }

    private const string Problems = """
        (() => {
          const out = [];
          const within = (r, box) => r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
          const meet = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0;
          document.querySelectorAll('figure.trial').forEach(fig => {
            const box = fig.getBoundingClientRect();
            if (fig.scrollWidth > fig.clientWidth + 1) out.push(`the row of ${fig.dataset.run} scrolls (${fig.scrollWidth} > ${fig.clientWidth} px)`);
            fig.querySelectorAll('img').forEach(img => {
              const r = img.getBoundingClientRect();
              if (!within(r, box)) out.push(`'${img.alt}' spans ${Math.round(r.left)}-${Math.round(r.right)} px, its row ${Math.round(box.left)}-${Math.round(box.right)}`);
            });
          });
          document.querySelectorAll('div.chart-plot').forEach(plot => {
            const box = plot.getBoundingClientRect();
            plot.querySelectorAll('svg.main-svg').forEach(svg => {
              const r = svg.getBoundingClientRect();
              if (r.width > box.width + 1) out.push(`${plot.id} draws ${Math.round(r.width)} px wide in a ${Math.round(box.width)} px box`);
            });
            const area = plot.querySelector('svg.main-svg').getBoundingClientRect();
            const labels = Array.from(plot.querySelectorAll('.textpoint text'))
              .map(t => ({ text: t.textContent, r: t.getBoundingClientRect() }))
              .filter(l => l.text.length > 0 && l.r.width > 0);
            labels.forEach((a, i) => {
              if (!within(a.r, area)) out.push(`${plot.id}: label '${a.text}' sticks out of the chart`);
              labels.slice(i + 1).filter(b => meet(a.r, b.r)).forEach(b => out.push(`${plot.id}: labels '${a.text}' and '${b.text}' overlap`));
            });
          });
          if (document.documentElement.scrollWidth > window.innerWidth) out.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${window.innerWidth} px)`);
          return out;
        })()
        """;

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
