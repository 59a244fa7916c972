using Exp.Catalog;
using Exp.Report.Model;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking.Recording;

namespace Exp.Report.Reading;

/// <summary>Reads what a report page is made from out of a local store, through the run catalog. Reads only.</summary>
public sealed class ReportReader(RunCatalog catalog, TimeProvider? clock = null)
{
    private const string SpecArtifact = "spec.yaml";
    private readonly TimeProvider clock = clock ?? TimeProvider.System;

    private FileStore Store => catalog.Store;

    public ReportSource Sweep(SweepRecord sweep)
    {
        var tags = Store.GetTags(sweep.Run.RunId);
        var overrides = tags.GetValueOrDefault(TrialTags.Overrides);
        var spec = Path.Combine(Store.ArtifactDirectory(sweep.Run.RunId), SpecArtifact);
        return new ReportSource(
            sweep.Run.RunName,
            $"sweep in experiment {sweep.Experiment.Name}, started {Started(sweep.Run.StartTime)}"
                + (string.IsNullOrWhiteSpace(overrides) ? "" : $", overrides: {overrides}"),
            tags.GetValueOrDefault(TrialTags.Note),
            File.Exists(spec) ? File.ReadAllText(spec) : null,
            sweep.Run.Status,
            clock.GetUtcNow().ToUnixTimeMilliseconds(),
            Readable(sweep.Trials))
        {
            LeftOut = LeftOut(sweep.Experiment.ExperimentId, sweep.Run.RunId),
        };
    }

    public ReportSource Experiment(ExperimentInfo experiment) =>
        new(
            experiment.Name,
            $"every trial of experiment {experiment.Name} ({experiment.ExperimentId})",
            null,
            null,
            null,
            clock.GetUtcNow().ToUnixTimeMilliseconds(),
            Readable(catalog.Trials(experiment.ExperimentId)))
        {
            LeftOut = LeftOut(experiment.ExperimentId, sweepRunId: null),
        };

    public ReportSource SingleTrial(TrialRecord trial) =>
        new(
            trial.Name,
            $"trial {trial.TrialId}, run {trial.Run.RunId}, started {Started(trial.Run.StartTime)}",
            null,
            null,
            trial.Run.Status,
            clock.GetUtcNow().ToUnixTimeMilliseconds(),
            [Trial(trial)]);

    /// <summary>The trials whose runs read in full; a run with a damaged file is noted in the store's damage instead.</summary>
    private List<TrialSource> Readable(IEnumerable<TrialRecord> trials) =>
        trials.Select(trial => Store.TryReadRun(() => Trial(trial), out var source) ? source : null).OfType<TrialSource>().ToList();

    /// <summary>
    /// The warnings for damaged runs that belong on this page: runs of the experiment, and for a
    /// sweep only those whose parent is the sweep's run (a run whose tags are damaged too cannot
    /// say, and is left to the command's warnings). The page says they are missing rather than
    /// showing fewer trials as if that were all.
    /// </summary>
    private IReadOnlyList<string> LeftOut(string experimentId, string? sweepRunId) =>
        Store.Damage
            .Where(damage => RunFolderOf(damage.File, experimentId) is { } runFolder && (sweepRunId is null || ParentOf(runFolder) == sweepRunId))
            .Select(damage => damage.Warning)
            .ToList();

    /// <summary>The run folder that holds <paramref name="file"/>, when that run is in the experiment.</summary>
    private string? RunFolderOf(string file, string experimentId)
    {
        var segments = Path.GetRelativePath(Store.RootDirectory, file).Split(Path.DirectorySeparatorChar);
        return segments.Length >= 3 && segments[0] == experimentId ? Path.Combine(Store.RootDirectory, segments[0], segments[1]) : null;
    }

    private static string? ParentOf(string runFolder)
    {
        var tag = Path.Combine(runFolder, "tags", MlflowTags.ParentRunId);
        try
        {
            return File.Exists(tag) ? File.ReadAllText(tag) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private TrialSource Trial(TrialRecord trial)
    {
        var runId = trial.Run.RunId;
        var artifacts = Store.ArtifactDirectory(runId);
        var images = new List<LoggedImage>();
        foreach (var path in Store.ListArtifacts(runId))
        {
            if (ImageArtifactNames.TryParse(path, out var key, out var step))
            {
                images.Add(new LoggedImage(key, step, Path.Combine(artifacts, path)));
            }
        }
        return new TrialSource(
            runId,
            trial.TrialId,
            trial.Name,
            trial.Run.Status,
            trial.Failure,
            trial.Pruning,
            trial.Run.StartTime,
            trial.Run.EndTime,
            Store.GetParams(runId),
            Store.GetMetricKeys(runId).ToDictionary(
                key => key,
                key => (IReadOnlyList<MetricPoint>)Store.GetMetricHistory(runId, key).Select(m => new MetricPoint(m.Step, m.Value)).ToList()),
            images)
        {
            ConfigGroup = trial.ConfigGroup,
        };
    }

    private static string Started(long startTime) =>
        DateTimeOffset.FromUnixTimeMilliseconds(startTime).ToLocalTime().ToString("yyyy-MM-dd HH:mm");
}
