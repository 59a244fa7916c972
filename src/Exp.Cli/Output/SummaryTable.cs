using Exp.Runner.Catalog;
using Exp.Runner.Sweeps;
using Exp.Spec;
using Spectre.Console;

namespace Exp.Cli.Output;

/// <summary>The end of `exp run`: the trials ranked by held-out ELBO, and how to open them in MLflow.</summary>
public static class SummaryTable
{
    public static void Print(SweepSummary summary)
    {
        var configurations = summary.Configurations;
        var replicated = Configurations.HaveReplicates(configurations);
        // With replicates, trials are listed by their configuration's rank (by its mean), each configuration's replicates together.
        var ranked = replicated ? configurations.SelectMany(c => c.Replicates).ToList() : summary.Ranked;
        var rankOf = configurations.Select((c, index) => (c, index)).SelectMany(x => x.c.Replicates.Select(r => (r, x.index + 1))).ToDictionary(x => x.r, x => x.Item2);
        var swept = ranked.SelectMany(r => r.Trial.SweptValues.Select(v => v.Path)).Distinct().ToList();
        var metrics = MetricFormat.Present(ranked.Select(r => r.Metrics));
        var order = summary.Objective.Metric == Metrics.Elbo && summary.Objective.Goal == Goal.Maximize
            ? "best held-out ELBO first"
            : $"best {summary.Objective.Metric} first ({summary.Objective.Goal.ToString().ToLowerInvariant()})";
        var table = new Table().Title(replicated ? $"trials by configuration, {order} by the mean" : $"trials, {order}").AddColumns("#", "id");
        // A trial's name is made of its swept values; with a sweep their columns say it better.
        var showName = swept.Count == 0;
        if (showName)
        {
            table.AddColumn("trial");
        }
        table.AddColumn("status");
        foreach (var path in swept)
        {
            table.AddColumn(Markup.Escape(path));
        }
        foreach (var (title, _) in metrics)
        {
            table.AddColumn(new TableColumn(Markup.Escape(title)).RightAligned());
        }
        table.AddColumn("time");
        var rank = 0;
        foreach (var result in ranked)
        {
            rank = replicated ? rankOf[result] : rank + 1;
            var values = swept.Select(path => result.Trial.SweptValues.FirstOrDefault(v => v.Path == path)?.Value ?? "");
            table.AddRow(
            [
                rank.ToString(), result.Trial.Id, .. (showName ? [Markup.Escape(result.Trial.Name)] : Array.Empty<string>()), Status(result),
                .. values.Select(Markup.Escape),
                .. metrics.Select(m => MetricFormat.Of(result.Metrics, m.Key)),
                result.Duration == TimeSpan.Zero ? "" : NumberFormat.Duration(result.Duration),
            ]);
        }
        AnsiConsole.Write(table);
        if (replicated)
        {
            AnsiConsole.Write(ConfigurationTable.Of(
                $"configurations, {order} by the mean over replicates", configurations, r => r.Trial.Name, r => r.Metrics, r => r.Completed, metrics));
        }
        foreach (var failed in ranked.Where(r => r.Kind == TrialResultKind.Failed))
        {
            Console.WriteLine($"FAILED {failed.Trial.Name}: {failed.Reason}");
        }
        // A pruned trial succeeded (it is no failure) but did not train to its end: it is not counted as finished.
        var pruned = summary.Results.Count(r => r.Pruning is not null);
        Console.WriteLine($"{summary.Results.Count(r => r.Completed)} of {summary.Results.Count} trials finished"
            + (pruned > 0 ? $", {pruned} pruned early" : "") + $" in {NumberFormat.Duration(summary.Elapsed)}.");
        if (summary.ReportPath is { } report)
        {
            Console.WriteLine($"Report: {report}");
        }
        Console.WriteLine(OpenInMlflow(summary.Location, summary.Experiment));
        DeliveryAccount.Print(summary.Delivery);
    }

    /// <summary>How to open the local store, which holds every run whatever reached a server.</summary>
    public static string OpenInMlflow(RunsLocation location, string experiment) =>
        $"Open in MLflow: MLFLOW_ALLOW_FILE_STORE=true mlflow ui --backend-store-uri {Path.GetFullPath(location.LocalStore)}  (experiment '{experiment}')";

    private static string Status(TrialResult result) => result.Kind switch
    {
        TrialResultKind.Finished => "[green]finished[/]",
        TrialResultKind.AlreadyFinished => "[green]finished before[/]",
        TrialResultKind.Failed => "[red]FAILED[/]",
        TrialResultKind.Killed => "[yellow]stopped[/]",
        TrialResultKind.Paused => $"[yellow]paused at {result.Metrics.GetValueOrDefault(Metrics.Epoch)} ep[/]",
        TrialResultKind.Pruned => $"[grey]{result.Pruning!.Status}[/]",
        TrialResultKind.RunningElsewhere => "[blue]running elsewhere[/]",
        _ => "[grey]not run[/]",
    };
}
