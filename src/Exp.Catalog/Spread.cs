using System.Globalization;

namespace Exp.Catalog;

/// <summary>
/// A metric over the replicates of one configuration: the mean, the sample standard deviation
/// (with n - 1, as numpy's std(ddof=1) and pandas' std give it; not a number for one replicate)
/// and how many replicates it is of.
/// </summary>
public readonly record struct Spread(double Mean, double StandardDeviation, int Count)
{
    /// <summary>The spread of <paramref name="values"/>; null when there are none. A value that is not a number makes the mean one too (a diverged replicate is no result to average away).</summary>
    public static Spread? Of(IEnumerable<double> values)
    {
        var list = values.ToList();
        if (list.Count == 0)
        {
            return null;
        }
        var mean = list.Sum() / list.Count;
        var sd = list.Count < 2 ? double.NaN : Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1));
        return new Spread(mean, sd, list.Count);
    }

    /// <summary>"mean ± sd" with <paramref name="format"/>, or the mean alone for one replicate.</summary>
    public string Format(Func<double, string> format) =>
        Count < 2 ? format(Mean) : $"{format(Mean)} ± {format(StandardDeviation)}";

    public override string ToString() => Format(v => v.ToString("G4", CultureInfo.InvariantCulture)) + $" (n={Count})";
}
