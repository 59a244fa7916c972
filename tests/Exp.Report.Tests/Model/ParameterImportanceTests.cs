using Exp.Report.Model;

namespace Exp.Report.Tests.Model;

/// <summary>PED-ANOVA on functions whose importances are known by construction.</summary>
public sealed class ParameterImportanceTests
{
    /// <summary>Every point of an n-by-n-by-n grid over [0, 1]³: a design in which no parameter is favoured.</summary>
    private static List<double[]> Grid(int n) =>
        (from x in Enumerable.Range(0, n) from y in Enumerable.Range(0, n) from z in Enumerable.Range(0, n)
         select new[] { x / (n - 1.0), y / (n - 1.0), z / (n - 1.0) }).ToList();

    private static readonly ParameterDomain Unit = new(0, 1);

    /// <summary>
    /// What a parameter that does not enter the function may still get: its values among the best trials are spread as
    /// among all, but the two Parzen estimators differ in their bandwidth (Scott's rule shrinks with the count) and in
    /// the prior's share (1 in n + 1), which leaves a few ten-thousandths.
    /// </summary>
    private const double Irrelevant = 2e-3;

    private static IReadOnlyList<double> Importances(List<double[]> points, Func<double[], double> f, bool maximize = false, IReadOnlyList<ParameterDomain>? domains = null) =>
        ParameterImportance.Of(domains ?? [Unit, Unit, Unit], points.Select(p => (IReadOnlyList<double>)p).ToList(), points.Select(f).ToList(), maximize)!;

    [Fact]
    public void A_function_of_one_parameter_gives_it_all_the_importance_and_the_others_none()
    {
        var importances = Importances(Grid(12), p => (p[0] - 0.3) * (p[0] - 0.3));

        // y and z do not enter the function: their values among the best trials are spread exactly as among all.
        Assert.True(importances[0] > 1 - 2 * Irrelevant, string.Join(", ", importances));
        Assert.InRange(importances[1], 0, Irrelevant);
        Assert.InRange(importances[2], 0, Irrelevant);
        Assert.Equal(1, importances.Sum(), 1e-12);
    }

    [Fact]
    public void Two_parameters_that_enter_alike_share_the_importance_equally_and_a_third_gets_none()
    {
        var importances = Importances(Grid(12), p => p[0] + p[1]);

        // The best set (x + y small) is a triangle, the same for x as for y.
        Assert.Equal(importances[0], importances[1], 1e-12);
        Assert.InRange(importances[0], 0.5 - Irrelevant, 0.5);
        Assert.InRange(importances[2], 0, Irrelevant);
    }

    [Fact]
    public void A_steeper_parameter_matters_more_and_which_way_is_better_does_not_change_the_importances()
    {
        var points = Grid(12);
        var minimized = Importances(points, p => 4 * p[0] + p[1]);
        var maximized = Importances(points, p => -(4 * p[0] + p[1]), maximize: true);

        Assert.True(minimized[0] > 2 * minimized[1], string.Join(", ", minimized));
        Assert.True(minimized[1] > 0.01, string.Join(", ", minimized));
        Assert.InRange(minimized[2], 0, Irrelevant);
        Assert.Equal(minimized, maximized);
    }

    [Fact]
    public void A_log_uniform_parameter_is_measured_in_log_space_and_a_categorical_one_by_its_categories()
    {
        // lr log-uniform over [1e-4, 1e-1], 8 categories; the function needs a small lr and category 3. Only the
        // category matters when lr is fixed, only lr when the category is.
        var random = new Random(1);
        var points = Enumerable.Range(0, 400).Select(_ => new[] { Math.Pow(10, -4 + 3 * random.NextDouble()), random.Next(8), random.NextDouble() }).ToList();
        ParameterDomain[] domains = [new(1e-4, 1e-1, Log: true), ParameterDomain.Categorical(8), Unit];

        var byLr = Importances(points, p => Math.Log10(p[0]), domains: domains);
        var byCategory = Importances(points, p => p[1] == 3 ? 0 : 1, domains: domains);

        Assert.True(byLr[0] > 0.8, string.Join(", ", byLr));
        Assert.True(byCategory[1] > 0.8, string.Join(", ", byCategory));
    }

    [Fact]
    public void Two_categorical_parameters_match_the_divergences_computed_by_hand()
    {
        // 20 trials over two choices of two categories each, every pair 5 times; only the first matters (0 is better).
        // The best set: the 10 trials with a = 0 (the top 10%, widened to every trial tied at the cut). Each estimator is
        // the counts plus a uniform prior of weight 1: among all, a: (10 + 1/2)/21 each; among the best, a: 10.5/11 and
        // 0.5/11, so the divergence is ½(21/11 − 1)² + ½(1/11 − 1)² = 100/121; b: 5.5/11 each, exactly as among all: 0.
        var points = Enumerable.Range(0, 20).Select(i => (IReadOnlyList<double>)[i % 2, i / 2 % 2]).ToList();
        ParameterDomain[] domains = [ParameterDomain.Categorical(2), ParameterDomain.Categorical(2)];

        var importances = ParameterImportance.Of(domains, points, points.Select(p => p[0]).ToList(), maximize: false)!;

        Assert.Equal(1, importances[0], 1e-12);
        Assert.Equal(0, importances[1], 1e-12);
        Assert.Equal(100.0 / 121, ParameterImportance.Divergences(domains, points, points.Select(p => p[0]).ToList(), maximize: false)![0], 1e-9);
    }

    [Fact]
    public void Too_few_trials_to_have_a_best_set_and_a_rest_give_no_importance()
    {
        var points = Grid(2).Take(2).ToList();

        Assert.Null(ParameterImportance.Of([Unit, Unit, Unit], points.Select(p => (IReadOnlyList<double>)p).ToList(), [1.0, 2.0], maximize: false));
    }
}
