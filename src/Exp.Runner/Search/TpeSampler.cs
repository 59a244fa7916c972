using Exp.Spec;
using Exp.Spec.Sweep;

namespace Exp.Runner.Search;

/// <summary>
/// The tree-structured Parzen estimator (Bergstra et al. 2011) as Optuna's TPESampler defines it
/// with its default settings, as a pure function of (search space, trials so far, seed, number):
/// random draws until startup_trials trials have a result, then the best gamma(n) = min(ceil(0.1 n), 25)
/// trials are "good" and the rest "bad"; each parameter's next value is the one of 24 candidates
/// drawn from the good density that maximises good density / bad density. Trials that stopped at
/// a rung rank below those that completed, by how far they got, then their last value.
/// Asynchronous with the constant liar: running trials count as bad, so trials proposed while
/// others run do not all land on the same point.
/// </summary>
public static class TpeSampler
{
    public const int Candidates = 24;

    public static int Gamma(int n) => Math.Min((int)Math.Ceiling(0.1 * n), 25);

    /// <summary>The values of configuration <paramref name="number"/> (the proposal number, without replicates), given every configuration proposed before it.</summary>
    public static double[] Propose(SearchSpace space, Objective objective, IReadOnlyList<SearchTrial> trials, int number)
    {
        var searched = trials.Where(t => t.Values.Count == space.Parameters.Length).ToList();
        var withResult = searched.Where(t => t.Phase is SearchPhase.Completed or SearchPhase.Paused or SearchPhase.Pruned && t.Last is not null).ToList();
        if (withResult.Count < space.StartupTrials)
        {
            return space.RandomValues(number);
        }
        var (good, bad) = Split(objective, withResult, Gamma(withResult.Count));
        // A trial that is training (a first segment, or one promoted) has no final word yet: the liar calls it bad.
        var running = searched.Where(t => t.Phase == SearchPhase.Running);
        bad = [.. bad, .. running];
        good = [.. good.OrderBy(t => t.Number)];
        bad = [.. bad.OrderBy(t => t.Number)];

        var random = SplitMix.ForProposal(space.Seed, number);
        var values = new double[space.Parameters.Length];
        for (var p = 0; p < values.Length; p++)
        {
            var parameter = space.Parameters[p];
            var goodDensity = new ParzenEstimator(parameter, good.Select(t => t.Values[p]).ToList());
            var badDensity = new ParzenEstimator(parameter, bad.Select(t => t.Values[p]).ToList());
            var best = double.NegativeInfinity;
            for (var c = 0; c < Candidates; c++)
            {
                var candidate = goodDensity.Sample(random);
                var score = goodDensity.LogDensity(candidate) - badDensity.LogDensity(candidate);
                if (score > best)
                {
                    best = score;
                    values[p] = candidate;
                }
            }
        }
        return values;
    }

    /// <summary>
    /// The best <paramref name="goodCount"/> trials and the rest: completed trials by value first,
    /// then those stopped at a rung, furthest first, then by their value there.
    /// </summary>
    private static (List<SearchTrial> Good, List<SearchTrial> Bad) Split(Objective objective, List<SearchTrial> trials, int goodCount)
    {
        var ranked = trials
            .OrderBy(t => t.Phase == SearchPhase.Completed ? 0 : 1)
            .ThenByDescending(t => t.Phase == SearchPhase.Completed ? 0 : t.Last!.Value.Epochs)
            .ThenBy(t => objective.Loss(t.Last!.Value.Value))
            .ThenBy(t => t.Number)
            .ToList();
        return (ranked.Take(goodCount).ToList(), ranked.Skip(goodCount).ToList());
    }
}
