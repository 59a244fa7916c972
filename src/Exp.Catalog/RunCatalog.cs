using System.Globalization;
using Exp.Spec;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Exp.Tracking.Recording;

namespace Exp.Catalog;

/// <summary>
/// Finds sweeps and trials in a local store by the tags exp gives their runs: how a
/// re-run finds its own trials, and what `exp ls` and `exp show` read. A run with a damaged
/// file is left out, and the file noted in <see cref="Damage"/> for one warning.
/// </summary>
public sealed class RunCatalog(FileStore store)
{
    /// <summary>The catalog of the local store in <paramref name="folder"/>.</summary>
    public static RunCatalog Open(string folder) => new(new FileStore(folder));

    public FileStore Store => store;

    /// <summary>The damaged files of runs left out so far; a command prints one warning for each.</summary>
    public IReadOnlyList<string> Damage => store.Damage.Select(damage => damage.Warning).ToList();

    /// <summary>The run of a trial: the finished one if any, else the latest.</summary>
    public TrialRecord? FindTrial(string experimentId, string trialId)
    {
        return TaggedTrialRuns(experimentId)
            .Where(run => run.Tags[TrialTags.TrialId] == trialId)
            .OrderByDescending(run => run.Info.Status == RunStatus.Finished)
            .ThenByDescending(run => run.Info.StartTime)
            .Select(run => Record(run.Info, run.Tags))
            .OfType<TrialRecord>()
            .FirstOrDefault();
    }

    public RunInfo? FindSweepRun(string experimentId, string sweepId) =>
        TaggedRuns(experimentId)
            .Where(run => run.Tags.GetValueOrDefault(TrialTags.SweepId) == sweepId)
            .Select(run => run.Info)
            .OrderByDescending(run => run.StartTime)
            .FirstOrDefault();

    public IReadOnlyList<TrialRecord> Trials(string experimentId) =>
        TaggedTrialRuns(experimentId).Select(run => Record(run.Info, run.Tags)).OfType<TrialRecord>().ToList();

    /// <summary>The runs of an experiment that carry a trial id, with their tags (metrics are read after, per run).</summary>
    private IEnumerable<(RunInfo Info, IReadOnlyDictionary<string, string> Tags)> TaggedTrialRuns(string experimentId) =>
        TaggedRuns(experimentId).Where(run => run.Tags.ContainsKey(TrialTags.TrialId));

    /// <summary>The active runs of an experiment with their tags; runs whose tags cannot be read are left out.</summary>
    private IEnumerable<(RunInfo Info, IReadOnlyDictionary<string, string> Tags)> TaggedRuns(string experimentId) =>
        ActiveRuns(experimentId)
            .Select(run => (Info: run, Tags: store.TryReadRun(() => store.GetTags(run.RunId), out var tags) ? tags : null))
            .Where(run => run.Tags is not null)
            .Select(run => (run.Info, run.Tags!));

    /// <summary>The trial of a run, or null when its metrics or params cannot be read (the run is left out).</summary>
    private TrialRecord? Record(RunInfo run, IReadOnlyDictionary<string, string> tags) =>
        store.TryReadRun(() => LastMetricValues(run.RunId), out var metrics)
        && store.TryReadRun(() => store.GetParam(run.RunId, TrialRecord.EpochsParam), out var epochs)
            ? new TrialRecord(run, tags[TrialTags.TrialId], tags.GetValueOrDefault(MlflowTags.ParentRunId), tags, metrics,
                int.TryParse(epochs, NumberStyles.Integer, CultureInfo.InvariantCulture, out var planned) ? planned : null)
            : null;

    public IReadOnlyList<SweepRecord> Sweeps()
    {
        var sweeps = new List<SweepRecord>();
        foreach (var experiment in store.ListExperiments())
        {
            var trials = Trials(experiment.ExperimentId);
            foreach (var (run, tags) in TaggedRuns(experiment.ExperimentId))
            {
                if (tags.GetValueOrDefault(TrialTags.SweepId) is { } sweepId)
                {
                    sweeps.Add(new SweepRecord(experiment, run, sweepId, trials.Where(t => t.SweepRunId == run.RunId).ToList()));
                }
            }
        }
        return sweeps;
    }

    /// <summary>Trial runs outside any sweep (`exp train`), in every experiment.</summary>
    public IReadOnlyList<(string Experiment, TrialRecord Trial)> Standalone() =>
        store.ListExperiments()
            .SelectMany(experiment => Trials(experiment.ExperimentId).Where(t => t.SweepRunId is null).Select(t => (experiment.Name, t)))
            .ToList();

    /// <summary>A trial's params, metrics (best by each metric's declared goal) and artifacts.</summary>
    public TrialDetails Details(TrialRecord trial)
    {
        var runId = trial.RunId;
        var metrics = new List<MetricSummary>();
        foreach (var key in store.GetMetricKeys(runId).Order(StringComparer.Ordinal))
        {
            var history = store.GetMetricHistory(runId, key);
            if (history.Count == 0)
            {
                continue;
            }
            var best = Goals.Of(Metrics.GoalOf(key)) is { } goal ? history.MinBy(m => Goals.Loss(goal, m.Value)) : null;
            metrics.Add(new MetricSummary(key, history.MaxBy(m => m.Step)!.Value, best?.Value, best?.Step, history.Count));
        }
        var artifacts = store.ListArtifacts(runId);
        var images = artifacts
            .Select(path => ImageArtifactNames.TryParse(path, out var key, out var step) ? (Key: key, Step: step, Path: path) : default)
            .Where(image => image.Path is not null)
            .ToList();
        var epochOfStep = store.GetMetricHistory(runId, Metrics.Epoch).GroupBy(m => m.Step).ToDictionary(g => g.Key, g => g.Last().Value);
        var epochOf = PictureEpochs.For(epochOfStep, images.Select(image => image.Step));
        return new TrialDetails(
            store.GetParams(runId).OrderBy(p => p.Key, StringComparer.Ordinal).ToList(),
            metrics,
            store.ArtifactDirectory(runId),
            artifacts,
            images.Select(image => new TrialPicture(epochOf(image.Step), image.Step, image.Key, image.Path))
                .OrderBy(picture => picture.Step).ThenBy(picture => picture.Key, StringComparer.Ordinal).ToList());
    }

    /// <summary>Trials whose id starts with, or whose name equals, <paramref name="idOrName"/>, in every experiment.</summary>
    public IReadOnlyList<TrialRecord> FindTrials(string idOrName) =>
        store.ListExperiments()
            .SelectMany(experiment => Trials(experiment.ExperimentId))
            .Where(trial => trial.TrialId.StartsWith(idOrName, StringComparison.OrdinalIgnoreCase) || trial.Name == idOrName
                || trial.RunId == idOrName)
            .ToList();

    private IEnumerable<RunInfo> ActiveRuns(string experimentId) =>
        store.ListRuns(experimentId).Where(run => run.LifecycleStage == LifecycleStage.Active);

    /// <summary>The value at the highest step of each metric of a run.</summary>
    public IReadOnlyDictionary<string, double> LastMetricValues(string runId) =>
        store.GetMetricKeys(runId)
            .Select(key => (Key: key, History: store.GetMetricHistory(runId, key)))
            .Where(metric => metric.History.Count > 0)
            .ToDictionary(metric => metric.Key, metric => metric.History.MaxBy(value => value.Step)!.Value);
}
