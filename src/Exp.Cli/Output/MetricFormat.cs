using System.Globalization;
using Exp.Runner.Catalog;
using Exp.Spec;

namespace Exp.Cli.Output;

/// <summary>The held-out metrics people compare trials by, and how they are printed.</summary>
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

    public static string Value(double value) =>
        // Counts (active units) print as whole numbers.
        value == Math.Round(value) && Math.Abs(value) < 1e6 ? value.ToString("F0", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 1000 ? value.ToString("F1", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 1 ? value.ToString("F3", CultureInfo.InvariantCulture)
        : value.ToString("G4", CultureInfo.InvariantCulture);

    public static string Of(IReadOnlyDictionary<string, double> metrics, string key) =>
        metrics.TryGetValue(key, out var value) ? Value(value) : "";

    /// <summary>"mean ± sd" over a configuration's replicates (the mean alone for one); empty without a value.</summary>
    public static string Of(Spread? spread) => spread is { } s ? s.Format(Value) : "";

    /// <summary>The headline metrics a set of trials has, so tables leave out empty columns.</summary>
    public static IReadOnlyList<(string Title, string Key)> Present(IEnumerable<IReadOnlyDictionary<string, double>> metrics)
    {
        var keys = metrics.SelectMany(m => m.Keys).ToHashSet();
        return Headline.Where(h => keys.Contains(h.Key)).ToList();
    }

    public static string Duration(TimeSpan duration) =>
        duration.TotalHours >= 1 ? $"{(int)duration.TotalHours}h{duration.Minutes:D2}m"
        : duration.TotalMinutes >= 1 ? $"{(int)duration.TotalMinutes}m{duration.Seconds:D2}s"
        : $"{duration.TotalSeconds:0.0}s";
}
