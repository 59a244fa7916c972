using Exp.Spec;

namespace Exp.Cli.Output;

/// <summary>The held-out metrics the terminal's tables compare trials by; numbers print as <see cref="NumberFormat"/> has them.</summary>
public static class MetricFormat
{
    /// <summary>Column title and metric key, in the order tables show them.</summary>
    public static readonly IReadOnlyList<(string Title, string Key)> Headline =
    [
        ("ELBO (nats)", Metrics.Elbo),
        ("bits/dim", Metrics.BitsPerDim),
        ("IWAE", Metrics.Iwae),
        ("test IWAE", Metrics.TestIwae),
        ("KL", Metrics.Kl),
        ("active units", Metrics.ActiveUnits),
        ("sigma", Metrics.Sigma),
    ];

    /// <summary>A metric's value as <see cref="NumberFormat.Value"/> prints it; empty when the trial does not have it.</summary>
    public static string Of(IReadOnlyDictionary<string, double> metrics, string key) =>
        metrics.TryGetValue(key, out var value) ? NumberFormat.Value(value) : "";

    /// <summary>"mean ± sd" over a configuration's replicates (the mean alone for one); empty without a value.</summary>
    public static string Of(Spread? spread) => spread is { } s ? s.Format(NumberFormat.Value) : "";

    /// <summary>The headline metrics a set of trials has, so tables leave out empty columns.</summary>
    public static IReadOnlyList<(string Title, string Key)> Present(IEnumerable<IReadOnlyDictionary<string, double>> metrics)
    {
        var keys = metrics.SelectMany(m => m.Keys).ToHashSet();
        return Headline.Where(h => keys.Contains(h.Key)).ToList();
    }
}
