using Exp.Spec;

namespace Exp.Report.Model;

/// <summary>
/// A metric as the report shows it: its key in the store, a short title, its unit and what it means. Which way it improves is the
/// declaration beside its name (<see cref="Metrics.GoalOf"/>), never the report's own.
/// </summary>
public sealed record ReportMetric(string Key, string Title, string Unit, string Meaning)
{
    public MetricGoal Goal => Metrics.GoalOf(Key);

    /// <summary>"higher is better", "lower is better", or null for a metric that is traded or only read.</summary>
    public string? GoalText => Goal switch
    {
        MetricGoal.Higher => "higher is better",
        MetricGoal.Lower => "lower is better",
        _ => null,
    };

    /// <summary>Whether <paramref name="candidate"/> beats <paramref name="incumbent"/>; never for a metric that ranks neither way.</summary>
    public bool Beats(double candidate, double incumbent) => Goals.Of(Goal) is { } goal && Goals.IsBetter(goal, candidate, incumbent);
}
