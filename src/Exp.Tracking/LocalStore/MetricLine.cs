using System.Globalization;
using Exp.Tracking.Model;

namespace Exp.Tracking.LocalStore;

/// <summary>
/// One line of a metric file, "timestamp value step", as MLflow's file store writes it.
/// Values are written the way Python prints floats (1.0, nan, inf) so that the files look
/// like MLflow's own; reading accepts anything Python's float() accepts that we may meet.
/// </summary>
internal static class MetricLine
{
    public static string Format(Metric metric) =>
        $"{metric.Timestamp.ToString(CultureInfo.InvariantCulture)} {FormatValue(metric.Value)} {metric.Step.ToString(CultureInfo.InvariantCulture)}\n";

    public static Metric Parse(string key, string line)
    {
        var parts = line.Trim().Split(' ');
        if (parts.Length is not (2 or 3))
        {
            throw new FormatException($"Metric '{key}' has a malformed line '{line}': expected 'timestamp value [step]'.");
        }
        var timestamp = long.Parse(parts[0], CultureInfo.InvariantCulture);
        var value = ParseValue(parts[1]);
        var step = parts.Length == 3 ? long.Parse(parts[2], CultureInfo.InvariantCulture) : 0;
        return new Metric(key, value, timestamp, step);
    }

    private static string FormatValue(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }
        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') ? text : text + ".0";
    }

    private static double ParseValue(string text) => text.ToLowerInvariant() switch
    {
        "nan" or "-nan" => double.NaN,
        "inf" or "infinity" or "+inf" => double.PositiveInfinity,
        "-inf" or "-infinity" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
