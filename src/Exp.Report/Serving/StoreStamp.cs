using System.Globalization;

namespace Exp.Report.Serving;

/// <summary>
/// A short text that changes whenever a file under some run folders is added, grown or rewritten:
/// what a served page polls to know that a running sweep has moved on. Checkpoints are left out
/// (they change with the metrics anyway, and are large).
/// </summary>
public static class StoreStamp
{
    public static string Of(IEnumerable<string> runDirectories)
    {
        long files = 0, bytes = 0, latest = 0;
        foreach (var directory in runDirectories.Where(Directory.Exists))
        {
            foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories))
            {
                if (file.FullName.Contains($"{Path.DirectorySeparatorChar}checkpoints{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                {
                    continue;
                }
                files++;
                bytes += file.Length;
                latest = Math.Max(latest, file.LastWriteTimeUtc.Ticks);
            }
        }
        return string.Create(CultureInfo.InvariantCulture, $"{files}-{bytes}-{latest}");
    }
}
