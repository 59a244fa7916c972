using System.CommandLine;
using Exp.Cli.Output;
using Exp.Runner.Catalog;
using Exp.Tracking;
using Exp.Tracking.LocalStore;
using Spectre.Console;

namespace Exp.Cli.Commands;

/// <summary>`exp show`: one trial's config, metrics and artifacts.</summary>
public static class ShowCommand
{
    public static Command Create()
    {
        var command = new Command("show", "Show one trial: its config, a summary of its metrics, and where its artifacts are");
        var trialArgument = new Argument<string>("trial") { Description = "A trial id (or its start), trial name, or run id" };
        var folder = new Option<string>("--runs") { Description = "The local store", DefaultValueFactory = _ => TrackingTarget.DefaultLocalDirectory };
        command.Arguments.Add(trialArgument);
        command.Options.Add(folder);
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetValue(folder)!;
            var wanted = parseResult.GetValue(trialArgument)!;
            if (string.IsNullOrWhiteSpace(wanted))
            {
                Console.Error.WriteLine("error: name a trial: its id (or the start of it), its name, or its run id");
                return ExitCodes.InvalidInput;
            }
            if (!Directory.Exists(path))
            {
                Console.Error.WriteLine($"error: no runs folder at {Path.GetFullPath(path)}; name it with --runs");
                return ExitCodes.InvalidInput;
            }
            var store = new FileStore(path);
            var catalog = new RunCatalog(store);
            var matches = catalog.FindTrials(wanted);
            foreach (var damage in catalog.Damage)
            {
                Console.Error.WriteLine($"warning: {damage}");
            }
            switch (matches.Count)
            {
                case 0:
                    Console.Error.WriteLine($"error: no trial '{wanted}' in {Path.GetFullPath(path)}; `exp ls {path}` lists them");
                    return ExitCodes.InvalidInput;
                case > 1 when matches.Select(m => m.TrialId).Distinct().Count() > 1:
                    Console.Error.WriteLine($"error: '{wanted}' matches {matches.Count} trials; give more of the id:");
                    foreach (var match in matches)
                    {
                        Console.Error.WriteLine($"  {match.TrialId}  {match.Name}  ({match.Run.RunId})");
                    }
                    return ExitCodes.InvalidInput;
            }
            Print(store, matches.OrderByDescending(m => m.Run.StartTime).First());
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Print(FileStore store, TrialRecord trial)
    {
        var run = trial.Run;
        Console.WriteLine($"trial {trial.Name} ({trial.TrialId})");
        Console.WriteLine($"run {run.RunId} in experiment {run.ExperimentId}: {run.Status.ToString().ToLowerInvariant()}");
        if (trial.Failure is { } failure)
        {
            Console.WriteLine($"reason: {failure}");
        }
        if (trial.Tags.GetValueOrDefault(Exp.Runner.Trials.TrialTags.Pruned) is { } pruned)
        {
            Console.WriteLine($"pruned: {pruned}");
        }

        var config = new Table().Title("config").AddColumns("key", "value");
        foreach (var (key, value) in store.GetParams(run.RunId).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            config.AddRow(Markup.Escape(key), Markup.Escape(value));
        }
        AnsiConsole.Write(config);

        var metrics = new Table().Title("metrics").AddColumns("metric", "last", "best", "at step", "values");
        foreach (var key in store.GetMetricKeys(run.RunId).Order(StringComparer.Ordinal))
        {
            var history = store.GetMetricHistory(run.RunId, key);
            if (history.Count == 0)
            {
                continue;
            }
            // Losses and code lengths fall as they improve; bounds on log-likelihood rise.
            var lowerIsBetter = key.Contains("loss") || key.Contains("bits_per_dim") || key.Contains("mse") || key.EndsWith("/kl");
            var best = lowerIsBetter ? history.MinBy(m => m.Value)! : history.MaxBy(m => m.Value)!;
            var last = history.MaxBy(m => m.Step)!;
            metrics.AddRow(Markup.Escape(key), MetricFormat.Value(last.Value), MetricFormat.Value(best.Value), best.Step.ToString(), history.Count.ToString());
        }
        AnsiConsole.Write(metrics);

        Console.WriteLine($"artifacts: {store.ArtifactDirectory(run.RunId)}");
        foreach (var artifact in store.ListArtifacts(run.RunId).Take(50))
        {
            Console.WriteLine($"  {artifact}");
        }
    }
}
