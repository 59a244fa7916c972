using Exp.Catalog;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;

namespace Exp.Report.Reading;

/// <summary>
/// Finds what a report is asked for. In order: a run's folder (a sweep's run or a trial's run),
/// an experiment's folder, a store folder (its latest sweep), a spec file (the latest sweep run
/// from it, named after the file), and in the store: a sweep's run id or name (the latest of that
/// name), an experiment's name or id, a trial's id (or the start of it), name or run id.
/// </summary>
public static class ReportTargets
{
    public static ReportTarget Resolve(string runsFolder, string wanted)
    {
        if (Directory.Exists(wanted))
        {
            return FromFolder(Path.GetFullPath(wanted));
        }
        if (!Directory.Exists(runsFolder))
        {
            throw new ReportTargetNotFoundException($"no runs folder at {Path.GetFullPath(runsFolder)}; run `exp run <spec>` first, or name it with --runs");
        }
        var catalog = new RunCatalog(FileStore.OpenForReading(runsFolder));
        var sweepName = File.Exists(wanted) && Path.GetExtension(wanted) is ".yaml" or ".yml" ? Path.GetFileNameWithoutExtension(wanted) : wanted;
        var sweeps = catalog.Sweeps();
        if (sweeps.Where(s => s.Run.RunId == wanted || s.Run.RunName == sweepName).MaxBy(s => s.Run.StartTime) is { } sweep)
        {
            return new ReportTarget.OfSweep(catalog, sweep);
        }
        if (catalog.Store.ListExperiments().FirstOrDefault(e => e.Name == wanted || e.ExperimentId == wanted) is { } experiment)
        {
            return new ReportTarget.OfExperiment(catalog, experiment);
        }
        var trials = catalog.FindTrials(wanted);
        return trials.Select(t => t.TrialId).Distinct().Count() switch
        {
            1 => new ReportTarget.OfTrial(catalog, trials.MaxBy(t => t.Run.StartTime)!),
            0 => throw new ReportTargetNotFoundException(
                $"no sweep, experiment or trial '{wanted}' in {catalog.Store.RootDirectory}; `exp ls {runsFolder}` lists them"),
            _ => throw new ReportTargetNotFoundException(
                $"'{wanted}' matches {trials.Count} trials; give more of the id, or name their sweep: "
                + string.Join(", ", trials.Select(t => $"{t.TrialId} {t.Name}"))),
        };
    }

    private static ReportTarget FromFolder(string folder)
    {
        var meta = Path.Combine(folder, "meta.yaml");
        if (!File.Exists(meta))
        {
            // A store: its latest sweep.
            var store = new RunCatalog(FileStore.OpenForReading(folder));
            return store.Sweeps().MaxBy(s => s.Run.StartTime) is { } latest
                ? new ReportTarget.OfSweep(store, latest)
                : throw new ReportTargetNotFoundException($"{folder} holds no sweep; name a run's folder, or a trial");
        }
        var parent = Path.GetDirectoryName(folder)!;
        var isRun = File.Exists(Path.Combine(parent, "meta.yaml"));
        var catalog = new RunCatalog(FileStore.OpenForReading(isRun ? Path.GetDirectoryName(parent)! : parent));
        var id = Path.GetFileName(folder);
        if (!isRun)
        {
            return new ReportTarget.OfExperiment(catalog, catalog.Store.GetExperiment(id));
        }
        if (catalog.Sweeps().FirstOrDefault(s => s.Run.RunId == id) is { } sweep)
        {
            return new ReportTarget.OfSweep(catalog, sweep);
        }
        return catalog.Trials(catalog.Store.GetRun(id).ExperimentId).FirstOrDefault(t => t.Run.RunId == id) is { } trial
            ? new ReportTarget.OfTrial(catalog, trial)
            : throw new ReportTargetNotFoundException($"{folder} is a run, but neither a sweep's nor a trial's of exp");
    }
}
