using System.Globalization;

namespace Exp.Report.Html;

/// <summary>Metric values as the table prints them: three decimals in the usual range, significant digits for small ones.</summary>
public static class NumberFormat
{
    public static string Value(double value) =>
        double.IsNaN(value) ? "NaN"
        : Math.Abs(value) >= 1000 ? value.ToString("F1", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 1 ? value.ToString("F3", CultureInfo.InvariantCulture)
        : value.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>
    /// Four significant digits, as the trial table prints values (a table of many trials reads by its leading digits):
    /// plain from 1e-4 up to a million, else in scientific notation.
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

    /// <summary>The exact value, for sorting and for the cell's tooltip.</summary>
    public static string Exact(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan duration) =>
        duration.TotalHours >= 1 ? $"{(int)duration.TotalHours}h{duration.Minutes:D2}m"
        : duration.TotalMinutes >= 1 ? $"{(int)duration.TotalMinutes}m{duration.Seconds:D2}s"
        : $"{duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s";
}
