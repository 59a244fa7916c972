namespace Exp.Report.Html;

/// <summary>How a page is rendered beyond its content.</summary>
/// <param name="ChangesUrl">
/// Where a served page asks whether the store changed (`exp ui`), so that a running sweep's page
/// reloads as it goes; null for a report file, which fetches nothing.
/// </param>
/// <param name="HomeUrl">A link back to the list of sweeps; null for a report file.</param>
public sealed record ReportHtmlOptions(string? ChangesUrl = null, string? HomeUrl = null)
{
    public static readonly ReportHtmlOptions File = new();
}
