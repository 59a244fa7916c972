using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Exp.Spec;
using Exp.Cli.Output;
using Spectre.Console;

namespace Exp.Cli.Commands;

public static class PlanCommand
{
    public static Command Create()
    {
        var command = new Command("plan", "Expand a spec into its trials and show them; nothing is trained");
        var spec = new SpecArguments();
        spec.AddTo(command);
        var format = ResultFormat.AddWithCsvTo(command);
        command.SetAction(parseResult =>
        {
            var plan = spec.Load(parseResult);
            if (plan is null || format.Of(parseResult) is not { } chosen)
            {
                return ExitCodes.InvalidInput;
            }
            if (chosen == Format.Json)
            {
                ResultFormat.WriteJson(ToJson(plan));
            }
            else if (chosen == Format.Csv)
            {
                // One row per trial: its number, id and name, and a column per swept key.
                var swept = plan.Trials.SelectMany(t => t.SweptValues.Select(v => v.Path)).Distinct().ToList();
                ResultFormat.WriteCsv(
                    ["number", "id", "name", .. swept],
                    plan.Trials.Select(t => (IReadOnlyList<string>)
                        [t.Number.ToString(CultureInfo.InvariantCulture), t.Id, t.Name, .. swept.Select(path => t.SweptValues.FirstOrDefault(v => v.Path == path)?.Value ?? "")]));
            }
            else
            {
                AnsiConsole.Write(PlanTable.Build(plan));
                foreach (var rule in PlanTable.Rules(plan))
                {
                    Console.WriteLine(rule);
                }
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static JsonObject ToJson(Plan plan)
    {
        var trials = new JsonArray();
        foreach (var trial in plan.Trials)
        {
            trials.Add(new JsonObject
            {
                ["number"] = trial.Number,
                ["id"] = trial.Id,
                ["name"] = trial.Name,
                ["swept"] = new JsonObject(trial.SweptValues.Select(v => KeyValuePair.Create(v.Path, (JsonNode?)v.Value))),
                ["config"] = JsonNode.Parse(trial.ConfigJson),
            });
        }
        var document = new JsonObject
        {
            ["experiment"] = plan.Experiment,
            ["sweep"] = plan.SweepMethod,
            ["objective"] = new JsonObject { ["metric"] = plan.Objective.Metric, ["goal"] = plan.Objective.Goal.ToString().ToLowerInvariant() },
            ["trials"] = trials,
        };
        if (plan.Search is { } search)
        {
            document["search"] = new JsonObject { ["trials"] = search.Trials, ["startupTrials"] = search.StartupTrials, ["seed"] = search.Seed };
        }
        if (plan.Scheduler.Kind == SchedulerKind.Asha)
        {
            document["scheduler"] = new JsonObject
            {
                ["type"] = "asha",
                ["reductionFactor"] = plan.Scheduler.ReductionFactor,
                ["rungs"] = new JsonArray([.. plan.Scheduler.Rungs.Select(r => (JsonNode)r)]),
            };
        }
        return document;
    }
}
