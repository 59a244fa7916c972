namespace Exp.Runner.Search;

/// <summary>
/// What the search policies see of a sweep with replicates: a configuration's mean, not one seed's
/// luck. Only the policies' inputs change; their rules (ASHA's promotion, TPE's split) stay as they are.
/// </summary>
public static class ConfigurationMeans
{
    /// <summary>
    /// Each trial with its rung values replaced by its configuration's mean at that rung, over the
    /// replicates that reached it so far (failed ones left out): what ASHA ranks, so the replicates of
    /// one configuration rank together and are promoted by their mean.
    /// </summary>
    public static IReadOnlyList<SearchTrial> AtRungs(IReadOnlyList<SearchTrial> trials, Func<SearchTrial, string> configurationOf)
    {
        var means = trials.GroupBy(configurationOf).ToDictionary(g => g.Key, MeansByRung);
        return trials.Select(t => t with { Rungs = t.Rungs.Keys.ToDictionary(rung => rung, rung => means[configurationOf(t)][rung]) }).ToList();
    }

    /// <summary>
    /// One trial per configuration, as TPE should learn from it: its first replicate's number and values,
    /// the mean at each rung over the replicates that reached it, and its phase: running while any replicate
    /// runs (the constant liar counts it bad until all are in), else the furthest any replicate got.
    /// </summary>
    public static IReadOnlyList<SearchTrial> PerConfiguration(IReadOnlyList<SearchTrial> trials, Func<SearchTrial, string> configurationOf) =>
        trials
            .GroupBy(configurationOf)
            .Select(g =>
            {
                var first = g.MinBy(t => t.Number)!;
                return first with { Rungs = MeansByRung(g), Phase = PhaseOf(g.ToList()) };
            })
            .OrderBy(t => t.Number)
            .ToList();

    private static Dictionary<int, double> MeansByRung(IEnumerable<SearchTrial> replicates)
    {
        var counted = replicates.Where(t => t.Phase != SearchPhase.Failed).ToList();
        return counted.SelectMany(t => t.Rungs.Keys).Distinct()
            .ToDictionary(rung => rung, rung => counted.Where(t => t.Rungs.ContainsKey(rung)).Average(t => t.Rungs[rung]));
    }

    private static SearchPhase PhaseOf(IReadOnlyList<SearchTrial> replicates) =>
        replicates.Any(t => t.Phase == SearchPhase.Running) ? SearchPhase.Running
        : replicates.Any(t => t.Phase == SearchPhase.Completed) ? SearchPhase.Completed
        : replicates.Any(t => t.Phase == SearchPhase.Paused) ? SearchPhase.Paused
        : replicates.Any(t => t.Phase == SearchPhase.Pruned) ? SearchPhase.Pruned
        : SearchPhase.Failed;
}
