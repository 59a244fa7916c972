using System.Diagnostics;

namespace Exp.Bench;

/// <summary>One child process as the benchmark saw it: when it started and ended (Unix ms), its peak RSS, and its output.</summary>
/// <param name="PeakRssAt">Peak RSS (MiB) by the value <c>progress</c> returned while it was sampled, e.g. epochs completed.</param>
/// <param name="CpuSamples">(Unix ms, CPU seconds used so far), every 50 ms: what a step costs in CPU, whatever else runs.</param>
public sealed record ProcessRun(long StartMs, long EndMs, int ExitCode, double PeakRssMiB, string Output, IReadOnlyDictionary<int, double> PeakRssAt,
    IReadOnlyList<(long UnixMs, double CpuSeconds)> CpuSamples)
{
    public double Seconds => (EndMs - StartMs) / 1000.0;
}

/// <summary>
/// Starts a process and samples its peak RSS (VmHWM in /proc) every 50 ms until it exits. The
/// high-water mark only grows, so the last sample before a progress mark is the peak up to it.
/// </summary>
public static class ProcessProbe
{
    public static ProcessRun Run(string fileName, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment = null, Func<int>? progress = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                start.Environment.Remove(name);
            else
                start.Environment[name] = value;
        }

        var startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var peakAt = new Dictionary<int, double>();
        var cpu = new List<(long, double)>();
        double peak = 0;
        while (!process.WaitForExit(50))
        {
            if (CpuSeconds(process.Id) is { } used)
                cpu.Add((DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), used));
            var sample = PeakRssMiB(process.Id);
            if (sample is null)
            {
                continue;
            }
            peak = Math.Max(peak, sample.Value);
            if (progress is not null)
            {
                peakAt[progress()] = peak;
            }
        }
        var endMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}:\n{output.Result}\n{error.Result}");
        }
        return new ProcessRun(startMs, endMs, process.ExitCode, peak, output.Result, peakAt, cpu);
    }

    /// <summary>utime + stime of /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s).</summary>
    private static double? CpuSeconds(int processId)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
        }
        catch (Exception gone) when (gone is IOException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static double? PeakRssMiB(int processId)
    {
        try
        {
            var line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        }
        catch (IOException)
        {
            return null; // it just exited
        }
    }
}
