using System.Text;
using Exp.Tracking.Model;

namespace Exp.Tracking.LocalStore;

/// <summary>
/// The append-only file of one metric's history. Each append is a single write of whole
/// lines in append mode, so a process killed mid-write leaves at most one partial last
/// line: readers skip it, and <see cref="RepairPartialLastLine"/> cuts it off before the
/// run is written to again (MLflow's own reader rejects a malformed line).
/// </summary>
internal static class MetricFile
{
    public static void Append(string path, IEnumerable<Metric> metrics)
    {
        var text = new StringBuilder();
        foreach (var metric in metrics)
        {
            text.Append(MetricLine.Format(metric));
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>The complete lines of the file; a partial last line is left out.</summary>
    public static IReadOnlyList<string> ReadCompleteLines(string path)
    {
        string content;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var reader = new StreamReader(stream, Encoding.UTF8))
        {
            content = reader.ReadToEnd();
        }
        var end = content.LastIndexOf('\n');
        return end < 0 ? [] : content[..end].Split('\n').Where(line => line.Length > 0).ToList();
    }

    /// <summary>
    /// The complete lines after <paramref name="offset"/>, where an earlier read ended; null
    /// when the file is shorter than that or has no line end just before it (it was rewritten).
    /// </summary>
    public static MetricTail? ReadAfter(string key, string path, long offset)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length < offset)
        {
            return null;
        }
        if (offset > 0)
        {
            stream.Position = offset - 1;
            if (stream.ReadByte() != '\n')
            {
                return null;
            }
        }
        var bytes = new byte[stream.Length - offset];
        stream.ReadExactly(bytes);
        var complete = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        var lines = Encoding.UTF8.GetString(bytes, 0, complete).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return new MetricTail(lines.Select(line => Parse(key, path, line, $"a line after byte {offset}")).ToList(), offset + complete);
    }

    /// <summary>The values of the file; a line that is not "timestamp value step" is damage of the run (MLflow's reader refuses it too).</summary>
    public static IReadOnlyList<Metric> Read(string key, string path) =>
        ReadCompleteLines(path).Select((line, index) => Parse(key, path, line, $"line {index + 1}")).ToList();

    private static Metric Parse(string key, string path, string line, string where)
    {
        try
        {
            return MetricLine.Parse(key, line);
        }
        catch (Exception malformed) when (malformed is FormatException or OverflowException)
        {
            throw new DamagedRunException(path, $"{where} '{PrintableText.Of(line, 80)}' is not 'timestamp value step'", malformed);
        }
    }

    /// <summary>Cuts off a partial last line left by a killed writer; returns whether there was one.</summary>
    public static bool RepairPartialLastLine(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        var length = stream.Length;
        if (length == 0)
        {
            return false;
        }
        var keep = length;
        var buffer = new byte[1];
        while (keep > 0)
        {
            stream.Position = keep - 1;
            stream.ReadExactly(buffer);
            if (buffer[0] == (byte)'\n')
            {
                break;
            }
            keep--;
        }
        if (keep == length)
        {
            return false;
        }
        stream.SetLength(keep);
        return true;
    }

    /// <summary>
    /// Keeps only the values with step at most <paramref name="lastStep"/>; returns how many
    /// lines remain. The file is replaced atomically, so a crash keeps either version whole.
    /// </summary>
    public static int DropStepsAfter(string key, string path, long lastStep, string stagingDirectory)
    {
        var kept = ReadCompleteLines(path).Where(line => MetricLine.Parse(key, line).Step <= lastStep).ToList();
        if (kept.Count == 0)
        {
            File.Delete(path);
            return 0;
        }
        AtomicFile.WriteAllText(path, string.Concat(kept.Select(line => line + "\n")), stagingDirectory);
        return kept.Count;
    }
}
