using System.CommandLine;
using Exp.Cli.Output;
using Exp.Runner.Catalog;
using Exp.Spec;
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
                // The best is a configuration whose replicates trained to their end, by its mean: a pruned trial's ELBO is from fewer
                // epochs, a failed or running one's is no result. Without replicates each trial is a configuration of its own.
                var configurations = Configurations.RankedByMean(
                    Configurations.Group(sweep.Trials.OrderBy(t => t.Completed ? 0 : t.Pruning is not null ? 1 : 2)
                        .ThenByDescending(t => t.Metrics.GetValueOrDefault(Metrics.Elbo, double.NegativeInfinity)), t => t.ConfigGroup),
                    Elbo, t => t.Completed, Goal.Maximize);
                var replicated = Configurations.HaveReplicates(configurations);
                var best = configurations.FirstOrDefault() is { } first && first.Of(Elbo, t => t.Completed) is not null
                    ? (replicated ? Configurations.NameOf(first.Replicates[0].Name) : first.Replicates[0].Name)
                    : null;
                var pruned = sweep.Trials.Count(t => t.Pruning is not null);
                var table = new Table()
                    .Title(Markup.Escape($"{sweep.ExperimentName} / {sweep.RunName}: {sweep.Status}, "
                        + $"{sweep.Trials.Count} trial(s){(pruned > 0 ? $" ({pruned} pruned)" : "")}, started {sweep.StartedAt.LocalDateTime:yyyy-MM-dd HH:mm}"
                        + (best is null ? "" : $", best {best}")))
                    .AddColumns("trial", "id", "status")
                    .AddColumn(new TableColumn("ELBO (nats)").RightAligned())
                    .AddColumn("run");
                // Trials that trained to their end first, then pruned ones, then the rest; best held-out ELBO first in each.
                // With replicates, each configuration's replicates together, best mean first.
                foreach (var trial in configurations.SelectMany(c => c.Replicates))
                {
                    table.AddRow(
                        Markup.Escape(trial.Name), trial.TrialId, Markup.Escape(trial.Shown),
                        MetricFormat.Of(trial.Metrics, Metrics.Elbo), trial.RunId);
                }
                AnsiConsole.Write(table);
                if (replicated)
                {
                    AnsiConsole.Write(ConfigurationTable.Of(
                        $"{sweep.RunName}: configurations, best mean ELBO first", configurations, t => t.Name, t => t.Metrics, t => t.Completed,
                        MetricFormat.Present(sweep.Trials.Select(t => t.Metrics))));
                }
            }
            if (standalone.Count > 0)
            {
                var table = new Table().Title("runs outside a sweep (exp train)").AddColumns("experiment", "trial", "id", "status")
                    .AddColumn(new TableColumn("ELBO (nats)").RightAligned()).AddColumn("run");
                foreach (var (experiment, trial) in standalone.OrderBy(s => s.Trial.StartedAt))
                {
                    table.AddRow(
                        Markup.Escape(experiment), Markup.Escape(trial.Name), trial.TrialId, trial.Shown,
                        MetricFormat.Of(trial.Metrics, Metrics.Elbo), trial.RunId);
                }
                AnsiConsole.Write(table);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static double? Elbo(TrialRecord trial) => trial.Metrics.TryGetValue(Metrics.Elbo, out var value) ? value : null;
}
