namespace Exp.Report.Model;

public sealed partial record ReportPage
{
    /// <summary>Every trial's config as its run's params, by run id: comparing selected trials shows the keys in which they differ.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Configs { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, string>>();
}
