using System.Globalization;

namespace Exp.Bench;

/// <summary>One logged training step: its number, when it was logged (Unix ms) and its loss.</summary>
public readonly record struct LoggedStep(long Step, long UnixMs, double Loss);

/// <summary>
/// The timing of a training run, from its logged steps. The window starts at the first step logged
/// at or after <see cref="WarmupSteps"/> (first allocations, thread start-up) and ends at the last.
/// </summary>
public sealed record StepTiming(IReadOnlyList<LoggedStep> Steps, int BatchSize)
{
    public const int WarmupSteps = 10;

    private LoggedStep First => Steps.First(s => s.Step >= WarmupSteps);

    private LoggedStep Last => Steps[^1];

    public double SecondsPerStep => (Last.UnixMs - First.UnixMs) / 1000.0 / (Last.Step - First.Step);

    public double ImagesPerSecond => BatchSize / SecondsPerStep;

    /// <summary>Images per second of CPU the process used over the window (its CPU use interpolated at the window's ends).</summary>
    public double ImagesPerCpuSecond(IReadOnlyList<(long UnixMs, double CpuSeconds)> samples) =>
        BatchSize * (Last.Step - First.Step) / (CpuAt(samples, Last.UnixMs) - CpuAt(samples, First.UnixMs));

    private static double CpuAt(IReadOnlyList<(long UnixMs, double CpuSeconds)> samples, long unixMs)
    {
        var after = samples.FirstOrDefault(s => s.UnixMs >= unixMs, samples[^1]);
        var before = samples.LastOrDefault(s => s.UnixMs <= unixMs, samples[0]);
        return after.UnixMs == before.UnixMs
            ? before.CpuSeconds
            : before.CpuSeconds + (after.CpuSeconds - before.CpuSeconds) * (unixMs - before.UnixMs) / (after.UnixMs - before.UnixMs);
    }

    /// <summary>All the run's steps at the steady rate.</summary>
    public double TrainingSeconds => Last.Step * SecondsPerStep;

    /// <summary>Launch to the start of the first step: the first logged step's time less its steps at the steady rate.</summary>
    public double StartupSeconds(long launchedMs) => (First.UnixMs - launchedMs) / 1000.0 - First.Step * SecondsPerStep;

    /// <summary>The last step to the process's exit: evaluation, pictures, checkpoint, closing the run.</summary>
    public double TeardownSeconds(long exitedMs) => (exitedMs - Last.UnixMs) / 1000.0;

    public double LastLoss => Last.Loss;

    /// <summary>The bare loop's output lines, "step unix_ms loss".</summary>
    public static StepTiming FromBareOutput(string output, int batchSize) => new(
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Where(parts => parts.Length == 3 && long.TryParse(parts[0], out _))
            .Select(parts => new LoggedStep(long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture),
                double.Parse(parts[2], CultureInfo.InvariantCulture)))
            .ToList(),
        batchSize);

    /// <summary>The train/loss history of every run under a folder's runs/ (MLflow file store lines "timestamp value step").</summary>
    public static IReadOnlyList<StepTiming> FromRuns(string folder, int batchSize) =>
        Directory.EnumerateFiles(Path.Combine(folder, "runs"), "loss", SearchOption.AllDirectories)
            .Where(path => Path.GetFileName(Path.GetDirectoryName(path)) == "train")
            .Select(path => new StepTiming(File.ReadLines(path)
                .Select(line => line.Split(' '))
                .Select(parts => new LoggedStep(long.Parse(parts[2], CultureInfo.InvariantCulture), long.Parse(parts[0], CultureInfo.InvariantCulture),
                    double.Parse(parts[1], CultureInfo.InvariantCulture)))
                .OrderBy(step => step.Step)
                .ToList(), batchSize))
            .ToList();

    /// <summary>How many epochs a run under the folder has evaluated so far (lines of its `epoch` metric).</summary>
    public static int EpochsDone(string folder)
    {
        var runs = Path.Combine(folder, "runs");
        if (!Directory.Exists(runs))
            return 0;
        var file = Directory.EnumerateFiles(runs, "epoch", SearchOption.AllDirectories).FirstOrDefault();
        try
        {
            return file is null ? 0 : File.ReadAllText(file).Count(c => c == '\n');
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
