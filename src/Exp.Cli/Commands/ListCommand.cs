using System.CommandLine;
using System.Text.Json.Nodes;
using Exp.Cli.Hosting;
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
        var runs = RunsFolder.AddWithPositionalTo(command);
        var format = ResultFormat.AddWithCsvTo(command);
        command.SetAction(parseResult =>
        {
            if (runs.Existing(parseResult) is not { } path || format.Of(parseResult) is not { } chosen)
            {
                return ExitCodes.InvalidInput;
            }
            var catalog = RunCatalog.Open(path);
            var sweeps = catalog.Sweeps();
            var standalone = catalog.Standalone();
            foreach (var damage in catalog.Damage)
            {
                Console.Error.WriteLine($"warning: {damage}");
            }
            switch (chosen)
            {
                case Format.Json:
                    ResultFormat.WriteJson(ToJson(path, sweeps, standalone));
                    return ExitCodes.Success;
                case Format.Csv:
                    WriteCsv(sweeps, standalone);
                    return ExitCodes.Success;
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

    private static JsonObject ToJson(string path, IReadOnlyList<SweepRecord> sweeps, IReadOnlyList<(string Experiment, TrialRecord Trial)> standalone) => new()
    {
        ["runsFolder"] = Path.GetFullPath(path),
        ["sweeps"] = new JsonArray([.. sweeps.OrderBy(s => s.StartedAt).Select(sweep => (JsonNode)new JsonObject
        {
            ["experiment"] = sweep.ExperimentName,
            ["sweep"] = sweep.RunName,
            ["runId"] = sweep.RunId,
            ["status"] = sweep.Status,
            ["startedAt"] = ResultFormat.Time(sweep.StartedAt),
            ["trials"] = new JsonArray([.. sweep.Trials.OrderBy(t => t.StartedAt).Select(t => (JsonNode)TrialJson(sweep.ExperimentName, t))]),
        })]),
        ["standalone"] = new JsonArray([.. standalone.OrderBy(s => s.Trial.StartedAt).Select(s => (JsonNode)TrialJson(s.Experiment, s.Trial))]),
    };

    private static JsonObject TrialJson(string experiment, TrialRecord trial) => new()
    {
        ["experiment"] = experiment,
        ["name"] = trial.Name,
        ["id"] = trial.TrialId,
        ["runId"] = trial.RunId,
        ["status"] = trial.Shown,
        ["completed"] = trial.Completed,
        ["startedAt"] = ResultFormat.Time(trial.StartedAt),
        ["metrics"] = ResultFormat.Metrics(trial.Metrics),
    };

    /// <summary>One row per trial run, sweeps' first; a column per metric any trial has (its last value).</summary>
    private static void WriteCsv(IReadOnlyList<SweepRecord> sweeps, IReadOnlyList<(string Experiment, TrialRecord Trial)> standalone)
    {
        var rows = sweeps.OrderBy(s => s.StartedAt)
            .SelectMany(s => s.Trials.OrderBy(t => t.StartedAt).Select(t => (Experiment: s.ExperimentName, Sweep: s.RunName, SweepRunId: s.RunId, Trial: t)))
            .Concat(standalone.OrderBy(s => s.Trial.StartedAt).Select(s => (Experiment: s.Experiment, Sweep: "", SweepRunId: "", s.Trial)))
            .ToList();
        var metrics = rows.SelectMany(r => r.Trial.Metrics.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        ResultFormat.WriteCsv(
            ["experiment", "sweep", "sweepRunId", "name", "id", "runId", "status", .. metrics],
            rows.Select(r => (IReadOnlyList<string>)
            [
                r.Experiment, r.Sweep, r.SweepRunId, r.Trial.Name, r.Trial.TrialId, r.Trial.RunId, r.Trial.Shown,
                .. metrics.Select(m => ResultFormat.CsvNumber(r.Trial.Metrics.TryGetValue(m, out var v) ? v : null)),
            ]));
    }

    private static double? Elbo(TrialRecord trial) => trial.Metrics.TryGetValue(Metrics.Elbo, out var value) ? value : null;
}
