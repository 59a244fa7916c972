using Exp.Spec;

namespace Exp.Catalog;

/// <summary>
/// The replicates of one configuration: trials whose configs differ only in their seed (tag
/// exp.configGroup), in the order given. Its results are the means over the replicates that
/// trained to their end, so configurations are compared by their mean, never by a lucky seed.
/// </summary>
public sealed record Configuration<T>(string Group, IReadOnlyList<T> Replicates)
{
    /// <summary>The spread of a metric over the given replicates that have it.</summary>
    public Spread? Of(Func<T, double?> metric, Func<T, bool> counted) =>
        Spread.Of(Replicates.Where(counted).Select(metric).OfType<double>());
}

public static class Configurations
{
    /// <summary>The seed part of a trial name (`kl_weight=3,seed=1`), which replicates of one configuration differ in.</summary>
    private const string SeedPart = "seed=";

    /// <summary>Items grouped by configuration, in the order each configuration first appears.</summary>
    public static IReadOnlyList<Configuration<T>> Group<T>(IEnumerable<T> items, Func<T, string> groupOf) =>
        items.GroupBy(groupOf).Select(g => new Configuration<T>(g.Key, g.ToList())).ToList();

    /// <summary>Whether any configuration has more than one replicate: only then do tables and charts show spreads.</summary>
    public static bool HaveReplicates<T>(IReadOnlyList<Configuration<T>> configurations) => configurations.Any(c => c.Replicates.Count > 1);

    /// <summary>
    /// Best mean first by <paramref name="objective"/> (over the replicates <paramref name="counted"/> says
    /// finished); configurations without a value (none finished, or a mean that is not a number) come last,
    /// in the order given.
    /// </summary>
    public static IReadOnlyList<Configuration<T>> RankedByMean<T>(
        IEnumerable<Configuration<T>> configurations, Func<T, double?> objective, Func<T, bool> counted, Goal goal) =>
        configurations
            .Select((configuration, index) => (configuration, index, mean: configuration.Of(objective, counted)?.Mean ?? double.NaN))
            .OrderBy(c => double.IsNaN(c.mean) ? 1 : 0)
            .ThenBy(c => Goals.Loss(goal, c.mean))
            .ThenBy(c => c.index)
            .Select(c => c.configuration)
            .ToList();

    /// <summary>A configuration's name: its trial's name without the seed, which is what tells its replicates apart ("base" when nothing else is swept).</summary>
    public static string NameOf(string trialName)
    {
        var parts = trialName.Split(',').Where(part => !part.StartsWith(SeedPart, StringComparison.Ordinal)).ToList();
        return parts.Count == 0 ? "base" : string.Join(",", parts);
    }
}
