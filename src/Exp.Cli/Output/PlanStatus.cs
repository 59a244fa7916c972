using Exp.Runner.Catalog;
using Exp.Runner.Trials;
using Exp.Spec;
using Exp.Tracking;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;
using Spectre.Console;

namespace Exp.Cli.Output;

/// <summary>`exp run --dry-run`: the plan, and what a run would do with each trial given the local store.</summary>
public static class PlanStatus
{
    public static void Print(Plan plan)
    {
        var target = TrackingTarget.Parse(plan.Tracking.Uri, plan.Tracking.Local);
        var catalog = Directory.Exists(target.LocalDirectory) ? new RunCatalog(new FileStore(target.LocalDirectory)) : null;
        var experiment = catalog?.Store.GetExperimentByName(plan.Experiment);
        AnsiConsole.Write(PlanTable.Build(plan, trial =>
        {
            var record = experiment is null ? null : catalog!.FindTrial(experiment.ExperimentId, trial.Id);
            return record?.Run.Status switch
            {
                null => "new: would run",
                RunStatus.Finished => "finished: would skip",
                _ when File.Exists(Path.Combine(RunFolders.Checkpoints(catalog!.Store, record.Run.RunId), "latest")) =>
                    $"{record.Run.Status.ToString().ToLowerInvariant()}: would resume from its checkpoint",
                _ => $"{record.Run.Status.ToString().ToLowerInvariant()}: would start over",
            };
        }));
        Console.WriteLine("Dry run: nothing was trained.");
    }
}
