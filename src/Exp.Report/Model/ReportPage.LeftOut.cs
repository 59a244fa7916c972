namespace Exp.Report.Model;

public sealed partial record ReportPage
{
    /// <summary>Runs of this page that are not on it because a file of theirs is damaged, one warning each (<see cref="ReportSource.LeftOut"/>).</summary>
    public IReadOnlyList<string> LeftOut { get; init; } = [];
}
