using System.CommandLine;
using Exp.Cli.Output;
using Exp.Engine.Objective;
using Exp.Runner.Catalog;
using Exp.Tracking;
using Exp.Tracking.LocalStore;
using Spectre.Console;

namespace Exp.Cli.Commands;

/// <summary>`exp ls`: the sweeps in a local store, each with its trials, status and best metric.</summary>
public static class ListCommand
{
    public static Command Create()
    {
        var command = new Command("ls", "List the sweeps in a local store and their trials, with status and held-out ELBO");
        var folder = new Argument<string>("runs-folder") { Description = "The local store", DefaultValueFactory = _ => TrackingTarget.DefaultLocalDirectory };
        command.Arguments.Add(folder);
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetValue(folder)!;
            if (!Directory.Exists(path))
            {
                Console.Error.WriteLine($"error: no runs folder at {Path.GetFullPath(path)}; run `exp run <spec>` first, or name the folder");
                return ExitCodes.InvalidInput;
            }
            var catalog = new RunCatalog(new FileStore(path));
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
            foreach (var sweep in sweeps.OrderBy(s => s.Run.StartTime))
            {
                var best = sweep.Trials.Where(t => t.Metrics.ContainsKey(Metrics.Elbo)).MaxBy(t => t.Metrics[Metrics.Elbo]);
                var table = new Table()
                    .Title(Markup.Escape($"{sweep.Experiment.Name} / {sweep.Run.RunName}: {sweep.Run.Status.ToString().ToLowerInvariant()}, "
                        + $"{sweep.Trials.Count} trial(s), started {DateTimeOffset.FromUnixTimeMilliseconds(sweep.Run.StartTime).LocalDateTime:yyyy-MM-dd HH:mm}"
                        + (best is null ? "" : $", best {best.Name}")))
                    .AddColumns("trial", "id", "status")
                    .AddColumn(new TableColumn("ELBO (nats)").RightAligned())
                    .AddColumn("run");
                foreach (var trial in sweep.Trials.OrderByDescending(t => t.Metrics.GetValueOrDefault(Metrics.Elbo, double.NegativeInfinity)))
                {
                    table.AddRow(
                        Markup.Escape(trial.Name), trial.TrialId, StatusOf(trial),
                        MetricFormat.Of(trial.Metrics, Metrics.Elbo), trial.Run.RunId);
                }
                AnsiConsole.Write(table);
            }
            if (standalone.Count > 0)
            {
                var table = new Table().Title("runs outside a sweep (exp train)").AddColumns("experiment", "trial", "id", "status")
                    .AddColumn(new TableColumn("ELBO (nats)").RightAligned()).AddColumn("run");
                foreach (var (experiment, trial) in standalone.OrderBy(s => s.Trial.Run.StartTime))
                {
                    table.AddRow(
                        Markup.Escape(experiment.Name), Markup.Escape(trial.Name), trial.TrialId, trial.Run.Status.ToString().ToLowerInvariant(),
                        MetricFormat.Of(trial.Metrics, Metrics.Elbo), trial.Run.RunId);
                }
                AnsiConsole.Write(table);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The run's status; a trial ASHA stopped early is FINISHED in MLflow and "pruned" here.</summary>
    private static string StatusOf(TrialRecord trial) =>
        trial.Tags.ContainsKey(Exp.Runner.Trials.TrialTags.Pruned)
            ? $"pruned at {trial.Metrics.GetValueOrDefault(Exp.Runner.Trials.TrackingObserver.EpochMetric)} ep"
            : trial.Run.Status.ToString().ToLowerInvariant();
}
