using Exp.Report.Model;

namespace Exp.Report.Html;

/// <summary>
/// One colour per trial, the same in every chart and in the picture strip. When one numeric
/// value is swept, colours run along a perceptually even scale (viridis, short of its palest yellow) in the order of that
/// value, so the eye follows the sweep without reading the legend; otherwise they cycle through
/// Plotly's qualitative palette.
/// </summary>
public static class TrialColors
{
    private static readonly string[] Viridis = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"];
    private static readonly string[] Qualitative = ["#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692", "#b6e880", "#ff97ff", "#fecb52"];

    public static IReadOnlyDictionary<string, string> Of(ReportPage page)
    {
        var sequential = page.Swept.Count == 1 && page.Rows.All(r => r.SweptValues[0] == "" || SweptValueOrder.AsNumber(r.SweptValues[0]) is not null);
        if (!sequential)
        {
            return page.Rows.Select((row, i) => (row.RunId, Qualitative[i % Qualitative.Length])).ToDictionary(x => x.RunId, x => x.Item2);
        }
        var values = page.Rows.Select(r => r.SweptValues[0]).Distinct().Order(SweptValueOrder.Instance).ToList();
        return page.Rows.ToDictionary(
            row => row.RunId,
            row => values.Count == 1 ? Viridis[0] : Viridis[(int)Math.Round(values.IndexOf(row.SweptValues[0]) * (Viridis.Length - 2) / (double)(values.Count - 1))]);
    }
}
