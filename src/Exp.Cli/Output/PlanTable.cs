using Exp.Runner.Search;
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
            .Title(plan.Search is { } search
                ? $"{Markup.Escape(plan.Experiment)}: the first {plan.Trials.Length} of {search.Trials} trial(s), tpe sweep"
                : $"{Markup.Escape(plan.Experiment)}: {plan.Trials.Length} trial(s), {plan.SweepMethod} sweep")
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

    /// <summary>What an adaptive sweep does beyond the trials listed: the search that follows and the early stopping; empty for the others.</summary>
    public static IReadOnlyList<string> Rules(Plan plan)
    {
        var rules = new List<string>();
        var trials = plan.Search?.Trials ?? plan.Trials.Length;
        if (plan.Search is { } search && search.Trials > plan.Trials.Length)
        {
            rules.Add($"Trials {plan.Trials.Length + 1} to {search.Trials}: TPE proposes each from the trials before it, once {search.StartupTrials} have a result " +
                $"(until then, random draws from sweep.seed {search.Seed}): the best 10% of them (at most 25) are \"good\", the rest \"bad\", and each value is the best " +
                $"of {TpeSampler.Candidates} candidates by good/bad density; trials still running count as bad. Objective: {plan.Objective.Goal.ToString().ToLowerInvariant()} {plan.Objective.Metric}.");
        }
        if (plan.Scheduler.Kind == SchedulerKind.Asha)
        {
            var rungs = string.Join(" -> ", plan.Scheduler.Rungs);
            var budget = SearchPolicy.Budget(trials, plan.Scheduler);
            var full = (long)trials * plan.Scheduler.MaxEpochs;
            rules.Add($"ASHA on {plan.Objective.Metric} ({plan.Objective.Goal.ToString().ToLowerInvariant()}): rungs at {rungs} epochs. Every trial trains to the first rung and pauses; " +
                $"the top 1/{plan.Scheduler.ReductionFactor} of each rung continue from their checkpoint in the same run, the others end PRUNED; " +
                $"if the furthest rung keeps none, its best still trains to {plan.Scheduler.MaxEpochs} epochs. " +
                $"At most {budget} epochs for {trials} trials (to run them all to the end: {full}).");
        }
        return rules;
    }
}
