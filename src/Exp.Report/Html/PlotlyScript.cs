using Plotly.NET;

namespace Exp.Report.Html;

/// <summary>
/// plotly.js as Plotly.NET ships it: the script that <c>PlotlyJSReference.Full</c> inlines into
/// a chart's page. A report inlines it once for all its charts, so the page works offline.
/// </summary>
public static class PlotlyScript
{
    private static readonly Lazy<string> Text = new(Read);

    public static string Version => Globals.PLOTLYJS_VERSION;

    public static string Source => Text.Value;

    private static string Read()
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = $"Plotly.NET.plotly-{Version}.min.js";
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Plotly.NET {assembly.GetName().Version} does not hold {name}");
        using var reader = new StreamReader(stream);
        // A literal "</script" inside the script would end the inline element early.
        return reader.ReadToEnd().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
    }
}
