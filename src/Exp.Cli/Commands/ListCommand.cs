using System.CommandLine;
using Exp.Cli.Output;
using Exp.Runner.Catalog;
using Spectre.Console;

namespace Exp.Cli.Commands;

/// <summary>`exp ls`: the sweeps in a local store, each with its trials, status and best metric.</summary>
public static class ListCommand
{
    public static Command Create()
    {
        var command = new Command("ls", "List the sweeps in a local store and their trials, with status and held-out ELBO");
        var folder = new Argument<string>("runs-folder") { Description = "The local store", DefaultValueFactory = _ => RunsLocation.DefaultLocalStore };
        command.Arguments.Add(folder);
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetValue(folder)!;
            if (!Directory.Exists(path))
            {
                Console.Error.WriteLine($"error: no runs folder at {Path.GetFullPath(path)}; run `exp run <spec>` first, or name the folder");
                return ExitCodes.InvalidInput;
            }
            var catalog = RunCatalog.Open(path);
            var sweeps = catalog.Sweeps();
            var standalone = catalog.Standalone();
            foreach (var damage in catalog.Damage)
            {
                Console.Error.WriteLine($"warning: {damage}");
            }
            if (sweeps.Count == 0 && standalone.Count == 0)
            {
                Console.WriteLine($"No runs of exp in {Path.GetFullPath(path)}.");
                return ExitCodes.Success;
            }
            foreach (var sweep in sweeps.OrderBy(s => s.StartedAt))
            {
                // The best is a trial that trained to its end: a pruned one's ELBO is from fewer epochs, a failed or running one's is no result.
                var best = sweep.Trials.Where(t => t.Completed && t.Metrics.ContainsKey(TrialMetrics.Elbo)).MaxBy(t => t.Metrics[TrialMetrics.Elbo]);
                var pruned = sweep.Trials.Count(t => t.Pruning is not null);
                var table = new Table()
                    .Title(Markup.Escape($"{sweep.ExperimentName} / {sweep.RunName}: {sweep.Status}, "
                        + $"{sweep.Trials.Count} trial(s){(pruned > 0 ? $" ({pruned} pruned)" : "")}, started {sweep.StartedAt.LocalDateTime:yyyy-MM-dd HH:mm}"
                        + (best is null ? "" : $", best {best.Name}")))
                    .AddColumns("trial", "id", "status")
                    .AddColumn(new TableColumn("ELBO (nats)").RightAligned())
                    .AddColumn("run");
                // Trials that trained to their end first, then pruned ones, then the rest; best held-out ELBO first in each.
                foreach (var trial in sweep.Trials
                    .OrderBy(t => t.Completed ? 0 : t.Pruning is not null ? 1 : 2)
                    .ThenByDescending(t => t.Metrics.GetValueOrDefault(TrialMetrics.Elbo, double.NegativeInfinity)))
                {
                    table.AddRow(
                        Markup.Escape(trial.Name), trial.TrialId, Markup.Escape(trial.Shown),
                        MetricFormat.Of(trial.Metrics, TrialMetrics.Elbo), trial.RunId);
                }
                AnsiConsole.Write(table);
            }
            if (standalone.Count > 0)
            {
                var table = new Table().Title("runs outside a sweep (exp train)").AddColumns("experiment", "trial", "id", "status")
                    .AddColumn(new TableColumn("ELBO (nats)").RightAligned()).AddColumn("run");
                foreach (var (experiment, trial) in standalone.OrderBy(s => s.Trial.StartedAt))
                {
                    table.AddRow(
                        Markup.Escape(experiment), Markup.Escape(trial.Name), trial.TrialId, trial.Shown,
                        MetricFormat.Of(trial.Metrics, TrialMetrics.Elbo), trial.RunId);
                }
                AnsiConsole.Write(table);
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
