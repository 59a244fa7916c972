using System.Globalization;

namespace Exp.Catalog;

/// <summary>
/// Numbers as people read them in the terminal and in the report, the same everywhere: invariant culture (a German
/// locale must not turn 0.5 into "0,5" in a table that is pasted into a paper), and one spelling of the values that
/// are not numbers: NaN, Infinity and -Infinity, as JavaScript, .NET and MLflow's UI write them.
/// </summary>
public static class NumberFormat
{
    /// <summary>
    /// A metric value: whole numbers (counts such as the active units) without decimals, three decimals in the usual
    /// range, one from 1000 up, four significant digits below 1.
    /// </summary>
    public static string Value(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "Infinity"
        : double.IsNegativeInfinity(value) ? "-Infinity"
        : value == Math.Round(value) && Math.Abs(value) < 1e6 ? value.ToString("F0", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 1000 ? value.ToString("F1", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 1 ? value.ToString("F3", CultureInfo.InvariantCulture)
        : value.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>
    /// Four significant digits, as the report's trial table prints values (a table of many trials reads by its
    /// leading digits): plain from 1e-4 up to a million, else in scientific notation.
    /// </summary>
    public static string Significant(double value)
    {
        if (!double.IsFinite(value) || value == 0)
        {
            return Value(value);
        }
        var scale = Math.Pow(10, Math.Floor(Math.Log10(Math.Abs(value))) - 3);
        var rounded = Math.Round(value / scale) * scale;
        return Math.Abs(rounded) is >= 1e-4 and < 1e6
            ? rounded.ToString("0.##########", CultureInfo.InvariantCulture)
            : value.ToString("0.###e+0", CultureInfo.InvariantCulture);
    }

    /// <summary>The exact value, which parses back to the same double: for sorting and for a cell's tooltip.</summary>
    public static string Exact(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A wall-clock time: 1h05m, 3m07s or 12.5s.</summary>
    public static string Duration(TimeSpan duration) =>
        duration.TotalHours >= 1 ? $"{(int)duration.TotalHours}h{duration.Minutes:D2}m"
        : duration.TotalMinutes >= 1 ? $"{(int)duration.TotalMinutes}m{duration.Seconds:D2}s"
        : $"{duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s";
}
