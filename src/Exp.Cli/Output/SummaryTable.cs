using System.Globalization;
using System.Text.Json.Nodes;
using Exp.Runner.Catalog;
using Exp.Runner.Sweeps;
using Exp.Spec;
using Spectre.Console;

namespace Exp.Cli.Output;

/// <summary>The end of `exp run`: the trials ranked by held-out ELBO, and how to open them in MLflow.</summary>
public static class SummaryTable
{
    /// <summary>The summary as a table with the lines after it, or as one JSON document or CSV table on stdout (the other lines then go to stderr).</summary>
    public static void Print(SweepSummary summary, Format format)
    {
        switch (format)
        {
            case Format.Json:
                ResultFormat.WriteJson(ToJson(summary));
                DeliveryAccount.Print(summary.Delivery, toStdout: false);
                break;
            case Format.Csv:
                WriteCsv(summary);
                DeliveryAccount.Print(summary.Delivery, toStdout: false);
                break;
            default:
                Print(summary);
                break;
        }
    }

    public static void Print(SweepSummary summary)
    {
        var configurations = summary.Configurations;
        var replicated = Configurations.HaveReplicates(configurations);
        var ranks = Ranks(summary);
        var ranked = ranks.Select(r => r.Result).ToList();
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
        foreach (var (rank, result) in ranks)
        {
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

    /// <summary>
    /// Where to look at the runs in MLflow: the server's UI when tracking to one (the local store
    /// is then only its buffer), else the local store, which MLflow 3.13+ opens only with MLFLOW_ALLOW_FILE_STORE.
    /// </summary>
    public static string OpenInMlflow(RunsLocation location, string experiment) => location.Server is { } server
        ? $"Open in MLflow: {server}  (experiment '{experiment}')"
        : $"Open in MLflow: MLFLOW_ALLOW_FILE_STORE=true mlflow ui --backend-store-uri {Path.GetFullPath(location.LocalStore)}  (experiment '{experiment}')";

    /// <summary>The stable names of a trial's outcome in --json and --csv.</summary>
    public static string Outcome(TrialResultKind kind) => kind switch
    {
        TrialResultKind.Finished => "finished",
        TrialResultKind.AlreadyFinished => "finished-before",
        TrialResultKind.Failed => "failed",
        TrialResultKind.Killed => "stopped",
        TrialResultKind.Paused => "paused",
        TrialResultKind.Pruned => "pruned",
        TrialResultKind.RunningElsewhere => "running-elsewhere",
        TrialResultKind.Submitted => "submitted",
        _ => "not-run",
    };

    /// <summary>
    /// The trials in the table's order, each with its rank. With replicates, by their configuration's rank (by its mean),
    /// each configuration's replicates together.
    /// </summary>
    private static List<(int Rank, TrialResult Result)> Ranks(SweepSummary summary)
    {
        var configurations = summary.Configurations;
        if (!Configurations.HaveReplicates(configurations))
        {
            return summary.Ranked.Select((r, index) => (index + 1, r)).ToList();
        }
        return configurations.SelectMany((c, index) => c.Replicates.Select(r => (index + 1, r))).ToList();
    }

    private static JsonObject ToJson(SweepSummary summary) => new()
    {
        ["experiment"] = summary.Experiment,
        ["experimentId"] = summary.ExperimentId,
        ["sweepRunId"] = summary.SweepRunId,
        ["objective"] = new JsonObject { ["metric"] = summary.Objective.Metric, ["goal"] = summary.Objective.Goal.ToString().ToLowerInvariant() },
        ["trials"] = new JsonArray([.. Ranks(summary).Select(ranked => (JsonNode)new JsonObject
        {
            ["rank"] = ranked.Rank,
            ["name"] = ranked.Result.Trial.Name,
            ["id"] = ranked.Result.Trial.Id,
            ["runId"] = ranked.Result.RunId,
            ["status"] = Outcome(ranked.Result.Kind),
            ["completed"] = ranked.Result.Completed,
            ["swept"] = new JsonObject(ranked.Result.Trial.SweptValues.Select(v => KeyValuePair.Create(v.Path, (JsonNode?)v.Value))),
            ["metrics"] = ResultFormat.Metrics(ranked.Result.Metrics),
            ["durationSeconds"] = ranked.Result.Duration.TotalSeconds,
            ["reason"] = ranked.Result.Reason,
        })]),
        ["finished"] = summary.Results.Count(r => r.Completed),
        ["total"] = summary.Results.Count,
        ["stopped"] = summary.Stopped,
        ["elapsedSeconds"] = summary.Elapsed.TotalSeconds,
        ["reportPath"] = summary.ReportPath,
        ["localStore"] = Path.GetFullPath(summary.Location.LocalStore),
        ["server"] = summary.Location.Server?.ToString(),
    };

    private static void WriteCsv(SweepSummary summary)
    {
        var ranks = Ranks(summary);
        var swept = ranks.SelectMany(r => r.Result.Trial.SweptValues.Select(v => v.Path)).Distinct().ToList();
        var metrics = ranks.SelectMany(r => r.Result.Metrics.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        ResultFormat.WriteCsv(
            ["rank", "id", "name", "status", "runId", .. swept, .. metrics, "durationSeconds", "reason"],
            ranks.Select(ranked => (IReadOnlyList<string>)
            [
                ranked.Rank.ToString(CultureInfo.InvariantCulture), ranked.Result.Trial.Id, ranked.Result.Trial.Name, Outcome(ranked.Result.Kind), ranked.Result.RunId ?? "",
                .. swept.Select(path => ranked.Result.Trial.SweptValues.FirstOrDefault(v => v.Path == path)?.Value ?? ""),
                .. metrics.Select(m => ResultFormat.CsvNumber(ranked.Result.Metrics.TryGetValue(m, out var v) ? v : null)),
                ResultFormat.CsvNumber(ranked.Result.Duration.TotalSeconds), ranked.Result.Reason ?? "",
            ]));
    }

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
