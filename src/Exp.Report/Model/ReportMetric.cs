namespace Exp.Report.Model;

/// <summary>A metric as the report shows it: its key in the store, a short title, its unit, and which way is better.</summary>
public sealed record ReportMetric(string Key, string Title, string Unit, Better Better, string Meaning)
{
    /// <summary>Whether <paramref name="candidate"/> beats <paramref name="incumbent"/>.</summary>
    public bool Beats(double candidate, double incumbent) => Better switch
    {
        Better.Higher => candidate > incumbent,
        Better.Lower => candidate < incumbent,
        _ => false,
    };
}
