using Exp.Runner.Trials;
using Exp.Spec;
using Exp.Tracking.LocalStore;
using Spectre.Console;

namespace Exp.Cli.Output;

/// <summary>`exp run --dry-run`: the plan, and what a run would do with each trial given the local store.</summary>
public static class PlanStatus
{
    public static void Print(Plan plan)
    {
        var target = plan.TrackingTarget();
        var store = Directory.Exists(target.LocalDirectory) ? new FileStore(target.LocalDirectory) : null;
        var experiment = store?.GetExperimentByName(plan.Experiment);
        var catalog = store is null ? null : new Runner.Catalog.RunCatalog(store);
        AnsiConsole.Write(PlanTable.Build(plan, trial =>
        {
            var disposition = experiment is null
                ? TrialDisposition.New
                : TrialLifecycle.DispositionOf(catalog!.FindTrial(experiment.ExperimentId, trial.Id), store!);
            var status = disposition.Existing?.Run.Status.ToString().ToLowerInvariant();
            return disposition.Kind switch
            {
                DispositionKind.New => "new: would run",
                DispositionKind.Skip => "finished: would skip",
                DispositionKind.Resume => $"{status}: would resume from its checkpoint of epoch {disposition.ResumeEpoch}",
                _ => $"{status}: would start over",
            };
        }));
        Console.WriteLine("Dry run: nothing was trained.");
    }
}
