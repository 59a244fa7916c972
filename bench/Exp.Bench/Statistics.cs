namespace Exp.Bench;

public static class Statistics
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
            throw new InvalidOperationException("no values to take the median of");
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The arms of round <paramref name="round"/>, rotated so that each arm runs first, second, ... in turn.</summary>
    public static IEnumerable<T> Rotated<T>(IReadOnlyList<T> arms, int round) =>
        arms.Skip(round % arms.Count).Concat(arms.Take(round % arms.Count));
}
