using Exp.Runner.Trials;
using Exp.Spec;
using Spectre.Console;

namespace Exp.Cli.Output;

/// <summary>`exp run --dry-run`: the plan, and what a run would do with each trial given the local store.</summary>
public static class PlanStatus
{
    public static void Print(Plan plan)
    {
        var dispositions = plan.Trials.Zip(TrialLifecycle.Preview(plan)).ToDictionary(pair => pair.First.Id, pair => pair.Second);
        AnsiConsole.Write(PlanTable.Build(plan, trial =>
        {
            var disposition = dispositions[trial.Id];
            var status = disposition.Existing?.Shown;
            return disposition.Kind switch
            {
                DispositionKind.New => "new: would run",
                DispositionKind.Skip => $"{status}: would skip",
                DispositionKind.Resume => $"{status}: would resume from its checkpoint of epoch {disposition.ResumeEpoch}",
                _ => $"{status}: would start over",
            };
        }));
        Console.WriteLine("Dry run: nothing was trained.");
    }
}
