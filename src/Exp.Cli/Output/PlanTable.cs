using Exp.Spec;
using Spectre.Console;

namespace Exp.Cli.Output;

/// <summary>A plan's trials as a table: id and swept values (the name when nothing is swept).</summary>
public static class PlanTable
{
    /// <param name="status">An extra column, e.g. what `exp run` would do with each trial.</param>
    public static Table Build(Plan plan, Func<Trial, string>? status = null)
    {
        var sweptPaths = plan.Trials.SelectMany(t => t.SweptValues.Select(v => v.Path)).Distinct().ToList();
        var table = new Table()
            .Title($"{Markup.Escape(plan.Experiment)}: {plan.Trials.Length} trial(s), {plan.SweepMethod} sweep")
            .AddColumn("#")
            .AddColumn("id");
        // The name is built from the swept values; with a sweep their columns say it better.
        var showName = sweptPaths.Count == 0;
        if (showName)
        {
            table.AddColumn("name");
        }
        foreach (var path in sweptPaths)
        {
            table.AddColumn(Markup.Escape(path));
        }
        if (status is not null)
        {
            table.AddColumn("status");
        }
        foreach (var trial in plan.Trials)
        {
            string[] identity = showName ? [trial.Number.ToString(), trial.Id, Markup.Escape(trial.Name)] : [trial.Number.ToString(), trial.Id];
            var values = sweptPaths.Select(path => Markup.Escape(trial.SweptValues.FirstOrDefault(v => v.Path == path)?.Value ?? ""));
            string[] state = status is null ? [] : [Markup.Escape(status(trial))];
            table.AddRow([.. identity, .. values, .. state]);
        }
        return table;
    }
}
