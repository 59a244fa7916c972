using Exp.Runner.Catalog;
using Exp.Runner.Sweeps;
using Exp.Runner.Trials;
using Exp.Spec;
using Spectre.Console;

namespace Exp.Cli.Output;

/// <summary>The progress of `exp train`: a live bar on a terminal, a line per epoch elsewhere.</summary>
public sealed class TrainingProgress(Trial trial, bool interactive)
{
    public async Task<TrialResult> ShowWhile(Func<Action<TrialEvent>, Task<TrialResult>> train)
    {
        if (!interactive)
        {
            return await train(PrintLine);
        }
        return await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(trial.Name), maxValue: 1.0);
                return await train(progress =>
                {
                    task.Value = progress.Progress;
                    task.Description = Markup.Escape(Describe(progress));
                    if (progress.Kind == TrialEventKind.Evaluated)
                    {
                        AnsiConsole.MarkupLine(Markup.Escape(EpochLine(progress)));
                    }
                });
            });
    }

    public void PrintOutcome(TrialResult result, Plan plan)
    {
        var status = result.Kind switch
        {
            TrialResultKind.Finished => "finished",
            TrialResultKind.Killed => "stopped",
            _ => "FAILED",
        };
        Console.WriteLine($"{trial.Name}: {status}{(result.Reason is null ? "" : $": {result.Reason}")}");
        Console.WriteLine(SummaryTable.OpenInMlflow(RunsLocation.For(plan), plan.Experiment));
        DeliveryAccount.Print(result.Delivery);
    }

    private void PrintLine(TrialEvent progress)
    {
        if (progress.Kind == TrialEventKind.Evaluated)
        {
            Console.Error.WriteLine(EpochLine(progress));
        }
        else if (progress.Kind == TrialEventKind.Started && progress.Epoch > 0)
        {
            Console.Error.WriteLine($"{trial.Name}: resuming after epoch {progress.Epoch}");
        }
    }

    private string Describe(TrialEvent progress) =>
        $"{trial.Name} epoch {Math.Max(progress.Epoch, 1)}/{progress.Epochs}" + (progress.Loss is { } loss ? $" loss {NumberFormat.Value(loss)}" : "");

    private string EpochLine(TrialEvent progress) =>
        $"{trial.Name} epoch {progress.Epoch}/{progress.Epochs}: "
        + string.Join(", ", MetricFormat.Headline
            .Where(h => progress.Metrics?.ContainsKey(h.Key) == true)
            .Select(h => $"{h.Title} {NumberFormat.Value(progress.Metrics![h.Key])}"));
}
