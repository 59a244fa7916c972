using Exp.Report.Model;
using Exp.Runner.Catalog;
using Exp.Runner.Trials;
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
            sweep.Trials.Select(Trial).ToList());
    }

    public ReportSource Experiment(ExperimentInfo experiment) =>
        new(
            experiment.Name,
            $"every trial of experiment {experiment.Name} ({experiment.ExperimentId})",
            null,
            null,
            null,
            clock.GetUtcNow().ToUnixTimeMilliseconds(),
            catalog.Trials(experiment.ExperimentId).Select(Trial).ToList());

    public ReportSource SingleTrial(TrialRecord trial) =>
        new(
            trial.Name,
            $"trial {trial.TrialId}, run {trial.Run.RunId}, started {Started(trial.Run.StartTime)}",
            null,
            null,
            trial.Run.Status,
            clock.GetUtcNow().ToUnixTimeMilliseconds(),
            [Trial(trial)]);

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
