namespace Exp.Report.Model;

/// <summary>The range a parameter's values lie in, as its importance measures them.</summary>
/// <param name="Choices">The number of categories of a categorical parameter (its values are indices); 0 for a numeric one.</param>
/// <param name="Log">Measured in log space (a log-uniform parameter).</param>
/// <param name="Integer">An integer parameter: one grid point per integer where there are fewer than the grid's.</param>
public sealed record ParameterDomain(double Low, double High, bool Log = false, bool Integer = false, int Choices = 0)
{
    public static ParameterDomain Categorical(int choices) => new(0, choices - 1, Choices: choices);
}

/// <summary>
/// PED-ANOVA (Watanabe, Bansal and Hutter 2023, "PED-ANOVA: efficiently quantifying hyperparameter importance in
/// arbitrary subspaces"), the importance Optuna's dashboard shows: for each parameter, how far the distribution of its
/// values among the best trials (the top <see cref="TopQuantile"/>, at least <see cref="MinTopTrials"/>) is from their
/// distribution among all trials, as the Pearson divergence of two one-dimensional Parzen estimators on a grid over the
/// parameter's range; the divergences are then scaled to sum to 1. A parameter whose good values are spread like all its
/// values does not matter to being good; one whose good values crowd together does. Unlike fANOVA it needs no model of
/// the whole space (no random forest), so it holds up with the few trials a sweep has.
/// </summary>
public static class ParameterImportance
{
    public const double TopQuantile = 0.1;
    public const int MinTopTrials = 2;
    public const int GridSteps = 50;

    /// <summary>Keeps a grid cell with no mass from dividing by zero, as the reference implementation does.</summary>
    private const double Floor = 1e-12;

    /// <param name="domains">One per parameter.</param>
    /// <param name="points">One per trial: its value of each parameter (a category's index for a categorical one).</param>
    /// <param name="objective">One per trial.</param>
    /// <param name="maximize">Whether a higher objective is better.</param>
    /// <returns>One importance per parameter, summing to 1; null with too few trials to have a top set and a rest.</returns>
    public static IReadOnlyList<double>? Of(IReadOnlyList<ParameterDomain> domains, IReadOnlyList<IReadOnlyList<double>> points, IReadOnlyList<double> objective, bool maximize)
    {
        if (Divergences(domains, points, objective, maximize) is not { } divergences)
        {
            return null;
        }
        var sum = divergences.Sum();
        return divergences.Select(d => d / sum).ToList();
    }

    /// <summary>Each parameter's Pearson divergence between its values among the best trials and among all, before scaling.</summary>
    public static IReadOnlyList<double>? Divergences(IReadOnlyList<ParameterDomain> domains, IReadOnlyList<IReadOnlyList<double>> points, IReadOnlyList<double> objective, bool maximize)
    {
        if (domains.Count == 0 || points.Count <= MinTopTrials)
        {
            return null;
        }
        var losses = objective.Select(v => maximize ? -v : v).ToList();
        var sorted = losses.Order().ToList();
        // The top quantile (rounded up to a trial), but never fewer than MinTopTrials trials.
        var cutoff = Math.Max(sorted[MinTopTrials - 1], sorted[(int)Math.Ceiling(TopQuantile * (sorted.Count - 1))]);
        var top = Enumerable.Range(0, points.Count).Where(i => losses[i] <= cutoff).ToList();
        if (top.Count == points.Count)
        {
            return null;
        }
        return domains.Select((domain, d) =>
        {
            var grid = GridOf(domain);
            var all = Density(domain, grid, points.Select(p => grid.IndexOf(p[d])).ToList());
            var best = Density(domain, grid, top.Select(i => grid.IndexOf(points[i][d])).ToList());
            return all.Zip(best, (p, q) => (p + Floor) * Math.Pow((q + Floor) / (p + Floor) - 1, 2)).Sum();
        }).ToList();
    }

    /// <summary>The points a parameter's density is measured at: evenly over its range (in log space for a log one), or one per category.</summary>
    private sealed record Grid(ParameterDomain Domain, int Steps)
    {
        public int IndexOf(double value)
        {
            if (Domain.Choices > 0)
            {
                return (int)value;
            }
            var (low, high, x) = Domain.Log ? (Math.Log(Domain.Low), Math.Log(Domain.High), Math.Log(value)) : (Domain.Low, Domain.High, value);
            return high <= low ? 0 : Math.Clamp((int)Math.Round((x - low) / (high - low) * (Steps - 1)), 0, Steps - 1);
        }
    }

    private static Grid GridOf(ParameterDomain domain) =>
        new(domain, domain.Choices > 0 ? domain.Choices
            : domain.Integer && !domain.Log ? Math.Min(GridSteps, (int)(domain.High - domain.Low) + 1)
            : GridSteps);

    /// <summary>
    /// A Parzen estimator of the values at <paramref name="cells"/> with one prior component of weight 1 spread over the
    /// whole range: a Gaussian kernel per value, its bandwidth by Scott's rule (at least half a cell), for a numeric
    /// parameter; the values' frequencies for a categorical one. A probability per grid cell.
    /// </summary>
    private static double[] Density(ParameterDomain domain, Grid grid, IReadOnlyList<int> cells)
    {
        var steps = grid.Steps;
        var density = new double[steps];
        if (domain.Choices > 0)
        {
            foreach (var cell in cells)
            {
                density[cell] += 1;
            }
            return density.Select(count => (count + 1.0 / steps) / (cells.Count + 1)).ToArray();
        }
        var n = cells.Count;
        var mean = cells.Average();
        var sd = Math.Sqrt(cells.Sum(c => (c - mean) * (c - mean)) / Math.Max(1, n - 1));
        var ordered = cells.Order().ToList();
        var iqr = ordered[Math.Min(n - 1, 3 * n / 4)] - ordered[n / 4];
        // 0.5/1.64: 90% of a kernel's mass falls within its own cell at the least.
        var bandwidth = Math.Max(1.059 * Math.Min(iqr / 1.34, sd) * Math.Pow(n, -0.2), 0.5 / 1.64);
        foreach (var cell in cells)
        {
            AddKernel(density, cell, bandwidth, 1);
        }
        AddKernel(density, (steps - 1) / 2.0, steps, 1);
        return density.Select(d => d / (n + 1)).ToArray();
    }

    /// <summary>Adds a Gaussian at <paramref name="centre"/>, truncated to the grid and scaled to <paramref name="weight"/> in all.</summary>
    private static void AddKernel(double[] density, double centre, double bandwidth, double weight)
    {
        var kernel = Enumerable.Range(0, density.Length).Select(i => Math.Exp(-0.5 * Math.Pow((i - centre) / bandwidth, 2))).ToList();
        var total = kernel.Sum();
        for (var i = 0; i < density.Length; i++)
        {
            density[i] += weight * kernel[i] / total;
        }
    }
}
