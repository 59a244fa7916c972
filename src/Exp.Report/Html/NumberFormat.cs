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

    /// <summary>The exact value, for sorting and for the cell's tooltip.</summary>
    public static string Exact(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan duration) =>
        duration.TotalHours >= 1 ? $"{(int)duration.TotalHours}h{duration.Minutes:D2}m"
        : duration.TotalMinutes >= 1 ? $"{(int)duration.TotalMinutes}m{duration.Seconds:D2}s"
        : $"{duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s";
}
