namespace Exp.Report.Html;

/// <summary>A chart ready for the page: its element id, Plotly's figure JSON, and the run behind each trace (for filtering).</summary>
/// <param name="Runs">One per trace; null for traces that belong to no one trial (a line joining the points).</param>
public sealed record ChartFigure(string Id, string Title, string FigureJson, IReadOnlyList<string?> Runs)
{
    /// <summary>
    /// For parallel coordinates, whose one trace draws every trial: the run behind each of its lines. Brushing its axes
    /// filters the page to those runs.
    /// </summary>
    public IReadOnlyList<string>? Lines { get; init; }
}
