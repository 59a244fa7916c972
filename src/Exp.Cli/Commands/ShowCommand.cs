using System.CommandLine;
using System.Text.Json.Nodes;
using Exp.Cli.Hosting;
using Exp.Cli.Output;
using Exp.Runner.Catalog;
using Spectre.Console;

namespace Exp.Cli.Commands;

/// <summary>`exp show`: one trial's config, metrics and artifacts.</summary>
public static class ShowCommand
{
    public static Command Create()
    {
        var command = new Command("show", "Show one trial: its config, a summary of its metrics, and where its artifacts are");
        var trialArgument = new Argument<string>("trial") { Description = "A trial id (or its start), trial name, or run id" };
        command.Arguments.Add(trialArgument);
        var runs = RunsFolder.AddTo(command);
        var format = ResultFormat.AddTo(command);
        trialArgument.CompletionSources.Add(context => Completions.Trials(runs.Named(context.ParseResult)));
        command.SetAction(parseResult =>
        {
            if (runs.Existing(parseResult) is not { } path || format.Of(parseResult) is not { } chosen)
            {
                return ExitCodes.InvalidInput;
            }
            var catalog = RunCatalog.Open(path);
            var trial = TrialLookup.Find(catalog, parseResult.GetValue(trialArgument)!, path);
            foreach (var damage in catalog.Damage)
            {
                Console.Error.WriteLine($"warning: {damage}");
            }
            if (trial is null)
            {
                return ExitCodes.InvalidInput;
            }
            if (chosen == Format.Json)
            {
                ResultFormat.WriteJson(ToJson(trial, catalog.Details(trial)));
            }
            else
            {
                Print(catalog, trial);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static JsonObject ToJson(TrialRecord trial, TrialDetails details) => new()
    {
        ["name"] = trial.Name,
        ["id"] = trial.TrialId,
        ["runId"] = trial.RunId,
        ["experimentId"] = trial.ExperimentId,
        ["sweepRunId"] = trial.SweepRunId,
        ["status"] = trial.Shown,
        ["completed"] = trial.Completed,
        ["reason"] = trial.Failure ?? trial.Pruning?.Why,
        ["startedAt"] = ResultFormat.Time(trial.StartedAt),
        ["params"] = new JsonObject(details.Params.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        ["metrics"] = new JsonArray([.. details.Metrics.Select(m => (JsonNode)new JsonObject
        {
            ["key"] = m.Key,
            ["last"] = ResultFormat.Number(m.Last),
            ["best"] = m.Best is { } best ? ResultFormat.Number(best) : null,
            ["bestStep"] = m.BestStep,
            ["count"] = m.Count,
        })]),
        ["pictures"] = new JsonArray([.. details.Pictures.Select(p => (JsonNode)new JsonObject
        {
            ["epoch"] = p.Epoch, ["step"] = p.Step, ["key"] = p.Key, ["path"] = p.Path,
        })]),
        ["artifactDirectory"] = details.ArtifactDirectory,
        ["artifacts"] = new JsonArray([.. details.Artifacts.Select(a => (JsonNode)a)]),
    };

    private static void Print(RunCatalog catalog, TrialRecord trial)
    {
        var details = catalog.Details(trial);
        Console.WriteLine($"trial {trial.Name} ({trial.TrialId})");
        Console.WriteLine($"run {trial.RunId} in experiment {trial.ExperimentId}: {trial.Shown}");
        if (trial.Failure is { } failure)
        {
            Console.WriteLine($"reason: {failure}");
        }
        if (trial.Pruning is { } pruning)
        {
            Console.WriteLine($"pruned: {pruning.Why}");
        }

        // A replicate is read beside its configuration: its own values and the mean ± sd over the replicates that trained to their end.
        var replicates = catalog.Trials(trial.ExperimentId)
            .Where(t => t.SweepRunId == trial.SweepRunId && t.ConfigGroup == trial.ConfigGroup)
            .ToList();
        var configuration = new Configuration<TrialRecord>(trial.ConfigGroup, replicates);
        var replicated = replicates.Count > 1;
        if (replicated)
        {
            Console.WriteLine($"configuration {Configurations.NameOf(trial.Name)}: {replicates.Count} replicates ({replicates.Count(t => t.Completed)} finished): "
                + string.Join(", ", replicates.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => t.Name)));
        }

        var config = new Table().Title("config").AddColumns("key", "value");
        foreach (var (key, value) in details.Params)
        {
            config.AddRow(Markup.Escape(key), Markup.Escape(value));
        }
        AnsiConsole.Write(config);

        // "Best" is as each metric declares it (higher or lower); a metric that ranks neither way has none.
        var metrics = new Table().Title("metrics").AddColumns("metric", "last", "best", "at step", "values");
        if (replicated)
        {
            metrics.AddColumn(new TableColumn("configuration: last, mean ± sd (n)").RightAligned());
        }
        foreach (var metric in details.Metrics)
        {
            string[] cells =
            [
                Markup.Escape(metric.Key), NumberFormat.Value(metric.Last), metric.Best is { } best ? NumberFormat.Value(best) : "",
                metric.BestStep?.ToString() ?? "", metric.Count.ToString(),
            ];
            metrics.AddRow(replicated
                ? [.. cells, configuration.Of(t => t.Metrics.TryGetValue(metric.Key, out var v) ? v : null, t => t.Completed) is { } spread
                    ? $"{MetricFormat.Of(spread)} ({spread.Count})" : ""]
                : cells);
        }
        AnsiConsole.Write(metrics);

        // Image files are named by step (as mlflow.log_image names them); say which epoch each is from.
        foreach (var epoch in details.Pictures.GroupBy(p => (p.Epoch, p.Step)))
        {
            Console.WriteLine($"pictures of epoch {epoch.Key.Epoch} (step {epoch.Key.Step}): {string.Join(", ", epoch.Select(p => p.Key))}");
        }
        Console.WriteLine($"artifacts: {details.ArtifactDirectory}");
        foreach (var artifact in details.Artifacts.Take(50))
        {
            Console.WriteLine($"  {artifact}");
        }
    }
}
