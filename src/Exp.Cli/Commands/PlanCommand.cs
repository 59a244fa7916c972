using System.CommandLine;
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
        var json = new Option<bool>("--json") { Description = "Print the resolved trial configs as JSON" };
        command.Options.Add(json);
        command.SetAction(parseResult =>
        {
            var plan = spec.Load(parseResult);
            if (plan is null)
            {
                return ExitCodes.InvalidInput;
            }
            if (parseResult.GetValue(json))
            {
                Console.WriteLine(ToJson(plan));
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

    private static string ToJson(Plan plan)
    {
        var trials = new JsonArray();
        foreach (var trial in plan.Trials)
        {
            trials.Add(new JsonObject
            {
                ["id"] = trial.Id,
                ["name"] = trial.Name,
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
        return document.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }
}
