namespace Exp.Report.Model;

/// <summary>How a chart's axis should be scaled for the values it shows.</summary>
public static class Axes
{
    /// <summary>Values that are all positive and span at least two decades read better on a log axis.</summary>
    public static bool SpansDecades(IEnumerable<double> values)
    {
        var list = values.ToList();
        return list.Count > 1 && list.All(v => v > 0 && double.IsFinite(v)) && list.Max() / list.Min() >= 100;
    }
}
