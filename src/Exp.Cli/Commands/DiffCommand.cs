using System.CommandLine;
using System.Text.Json.Nodes;
using Exp.Cli.Hosting;
using Exp.Cli.Output;
using Exp.Runner.Catalog;
using Spectre.Console;

namespace Exp.Cli.Commands;

/// <summary>`exp diff A B`: two trials (of one sweep or of two): the config keys that differ, their metrics side by side, the tags that differ.</summary>
public static class DiffCommand
{
    /// <summary>One key of the comparison; a side without the key has null.</summary>
    private sealed record Difference(string Key, string? A, string? B);

    private sealed record MetricPair(string Key, double? A, double? B)
    {
        public double? Change => A is { } a && B is { } b ? b - a : null;
    }

    public static Command Create()
    {
        var command = new Command("diff", "Compare two trials, of one sweep or of two: the config keys that differ, their metrics side by side, the tags that differ");
        var first = new Argument<string>("a") { Description = "A trial: its id (or the start of it), its name, or its run id" };
        var second = new Argument<string>("b") { Description = "The trial to compare it with, named the same ways" };
        command.Arguments.Add(first);
        command.Arguments.Add(second);
        var runs = RunsFolder.AddTo(command);
        var format = ResultFormat.AddTo(command);
        first.CompletionSources.Add(context => Completions.Trials(runs.Named(context.ParseResult)));
        second.CompletionSources.Add(context => Completions.Trials(runs.Named(context.ParseResult)));
        command.SetAction(parseResult =>
        {
            if (runs.Existing(parseResult) is not { } path || format.Of(parseResult) is not { } chosen)
            {
                return ExitCodes.InvalidInput;
            }
            var catalog = RunCatalog.Open(path);
            var a = TrialLookup.Find(catalog, parseResult.GetValue(first)!, path);
            var b = TrialLookup.Find(catalog, parseResult.GetValue(second)!, path);
            foreach (var damage in catalog.Damage)
            {
                Console.Error.WriteLine($"warning: {damage}");
            }
            if (a is null || b is null)
            {
                return ExitCodes.InvalidInput;
            }
            var detailsA = catalog.Details(a);
            var detailsB = catalog.Details(b);
            var config = Differing(detailsA.Params, detailsB.Params);
            var tags = Differing(a.Tags, b.Tags);
            var metrics = detailsA.Metrics.Select(m => m.Key).Union(detailsB.Metrics.Select(m => m.Key)).Order(StringComparer.Ordinal)
                .Select(key => new MetricPair(key, detailsA.Metrics.FirstOrDefault(m => m.Key == key)?.Last, detailsB.Metrics.FirstOrDefault(m => m.Key == key)?.Last))
                .ToList();
            if (chosen == Format.Json)
            {
                ResultFormat.WriteJson(ToJson(a, b, config, metrics, tags));
            }
            else
            {
                Print(a, b, config, detailsA.Params.Count, metrics, tags);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The keys whose values differ, or that one side lacks, by key.</summary>
    private static List<Difference> Differing(IEnumerable<KeyValuePair<string, string>> a, IEnumerable<KeyValuePair<string, string>> b)
    {
        var left = a.ToDictionary(p => p.Key, p => p.Value);
        var right = b.ToDictionary(p => p.Key, p => p.Value);
        return left.Keys.Union(right.Keys).Order(StringComparer.Ordinal)
            .Select(key => new Difference(key, left.GetValueOrDefault(key), right.GetValueOrDefault(key)))
            .Where(d => d.A != d.B)
            .ToList();
    }

    private static void Print(TrialRecord a, TrialRecord b, List<Difference> config, int keys, List<MetricPair> metrics, List<Difference> tags)
    {
        Console.WriteLine($"A: {a.Name} ({a.TrialId}), run {a.RunId}: {a.Shown}");
        Console.WriteLine($"B: {b.Name} ({b.TrialId}), run {b.RunId}: {b.Shown}");
        if (config.Count == 0)
        {
            Console.WriteLine($"config: the same {keys} keys and values");
        }
        else
        {
            AnsiConsole.Write(Table($"config: {config.Count} key(s) differ", config));
        }
        var table = new Table().Title("metrics, last value").AddColumn("metric")
            .AddColumn(new TableColumn("A").RightAligned()).AddColumn(new TableColumn("B").RightAligned()).AddColumn(new TableColumn("B - A").RightAligned());
        foreach (var metric in metrics)
        {
            table.AddRow(Markup.Escape(metric.Key), Shown(metric.A), Shown(metric.B), Shown(metric.Change));
        }
        AnsiConsole.Write(table);
        if (tags.Count > 0)
        {
            AnsiConsole.Write(Table($"tags: {tags.Count} differ", tags));
        }
    }

    private static Table Table(string title, List<Difference> differences)
    {
        var table = new Table().Title(Markup.Escape(title)).AddColumns("key", "A", "B");
        foreach (var difference in differences)
        {
            table.AddRow(Markup.Escape(difference.Key), Markup.Escape(difference.A ?? "(none)"), Markup.Escape(difference.B ?? "(none)"));
        }
        return table;
    }

    private static string Shown(double? value) => value is { } v ? NumberFormat.Value(v) : "";

    private static JsonObject ToJson(TrialRecord a, TrialRecord b, List<Difference> config, List<MetricPair> metrics, List<Difference> tags) => new()
    {
        ["a"] = Identity(a),
        ["b"] = Identity(b),
        ["config"] = Differences(config),
        ["metrics"] = new JsonArray([.. metrics.Select(m => (JsonNode)new JsonObject
        {
            ["key"] = m.Key,
            ["a"] = m.A is { } x ? ResultFormat.Number(x) : null,
            ["b"] = m.B is { } y ? ResultFormat.Number(y) : null,
            ["difference"] = m.Change is { } d ? ResultFormat.Number(d) : null,
        })]),
        ["tags"] = Differences(tags),
    };

    private static JsonObject Identity(TrialRecord trial) => new()
    {
        ["name"] = trial.Name,
        ["id"] = trial.TrialId,
        ["runId"] = trial.RunId,
        ["experimentId"] = trial.ExperimentId,
        ["sweepRunId"] = trial.SweepRunId,
        ["status"] = trial.Shown,
    };

    private static JsonArray Differences(List<Difference> differences) =>
        new([.. differences.Select(d => (JsonNode)new JsonObject { ["key"] = d.Key, ["a"] = d.A, ["b"] = d.B })]);
}
