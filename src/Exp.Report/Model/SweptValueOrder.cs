using System.Globalization;

namespace Exp.Report.Model;

/// <summary>Orders config values as a sweep runs through them: numbers by size, anything else as text.</summary>
public sealed class SweptValueOrder : IComparer<string>
{
    public static readonly SweptValueOrder Instance = new();

    public static double? AsNumber(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) ? number : null;

    public int Compare(string? x, string? y) =>
        (AsNumber(x ?? ""), AsNumber(y ?? "")) switch
        {
            ({ } a, { } b) => a.CompareTo(b),
            ({ }, null) => -1,
            (null, { }) => 1,
            _ => string.CompareOrdinal(x, y),
        };
}
