using Exp.Runner.Catalog;
using Exp.Runner.Search;
using Exp.Runner.Sweeps;
using Exp.Spec;

namespace Exp.Cli.Output;

/// <summary>Lines both sweep views print.</summary>
public static class SweepLines
{
    public static string Overall(SweepBoard.Snapshot state)
    {
        var remaining = state.Remaining is not { } left ? ""
            : state.RemainingIsTrainingOnly ? $", about {NumberFormat.Duration(left)} of training left, then the end-of-trial evaluations"
            : $", about {NumberFormat.Duration(left)} left";
        return $"{state.Done + state.DoneBefore}/{state.Total} done, {state.Running.Count} running, {state.Failed} failed, "
            + $"{state.Left} waiting; {NumberFormat.Duration(state.Elapsed)} elapsed{remaining}";
    }

    /// <summary>An adaptive sweep's rungs: how many trials reached each and went on, and how many were pruned.</summary>
    public static string Rungs(SearchEvent search)
    {
        var rungs = search.Scheduler.Rungs;
        var parts = rungs.Select((rung, k) =>
        {
            var reached = search.Trials.Count(t => t.Rungs.ContainsKey(rung));
            var training = search.Trials.Count(t => t.Phase == SearchPhase.Running && t.Epochs == rung);
            return $"{rung} ep: {reached} reached" + (training > 0 ? $", {training} training" : "");
        });
        var pruned = search.Trials.Count(t => t.Phase == SearchPhase.Pruned);
        var paused = search.Trials.Count(t => t.Phase == SearchPhase.Paused);
        return "rungs " + string.Join(" | ", parts) + $"; {paused} paused, {pruned} pruned";
    }

    /// <summary>One line per decision of an adaptive sweep.</summary>
    public static IEnumerable<string> Decided(SearchEvent update)
    {
        string Name(int number) => update.Trial?.Name ?? $"#{number}";
        switch (update.Decision)
        {
            case Decision.Start start:
                yield return $"proposed #{start.Number} {Name(start.Number)}: trains to {start.Epochs} epoch(s)";
                break;
            case Decision.Promote promote:
                var value = NumberFormat.Value(update.Trials.FirstOrDefault(t => t.Number == promote.Number)?.Rungs.GetValueOrDefault(promote.FromEpochs) ?? double.NaN);
                var atRung = update.Trials.Count(t => t.Rungs.ContainsKey(promote.FromEpochs));
                yield return $"promoted #{promote.Number} {Name(promote.Number)} from {promote.FromEpochs} to {promote.ToEpochs} epochs " + (promote.BestOfFurthestRung
                    ? $"(best of the {atRung} at {promote.FromEpochs}: {value}; their top 1/{update.Scheduler.ReductionFactor} is none, but a sweep trains its best to the end)"
                    : $"(top 1/{update.Scheduler.ReductionFactor} at {promote.FromEpochs}: {value})");
                break;
            case Decision.Resume resume:
                yield return $"continuing #{resume.Number} {Name(resume.Number)} to {resume.Epochs} epoch(s), from its checkpoint";
                break;
            case Decision.Finish finish:
                foreach (var trial in update.Trials.Where(t => finish.Pruned.Contains(t.Number)))
                {
                    yield return $"pruned   #{trial.Number} {trial.TrialId} at {trial.Last?.Epochs} of {update.Scheduler.MaxEpochs} epochs: {NumberFormat.Value(trial.Last?.Value ?? double.NaN)}";
                }
                break;
        }
    }

    public static string Ended(TrialResult result) => result.Kind switch
    {
        TrialResultKind.Pruned => $"pruned   {result.Trial.Name}: {result.Reason}",
        TrialResultKind.Paused => $"paused   {result.Trial.Name} at its rung: held-out ELBO {MetricFormat.Of(result.Metrics, Metrics.Elbo)} nats",
        TrialResultKind.Finished => $"finished {result.Trial.Name} in {NumberFormat.Duration(result.Duration)}: held-out ELBO {MetricFormat.Of(result.Metrics, Metrics.Elbo)} nats",
        TrialResultKind.Failed => $"FAILED   {result.Trial.Name}: {result.Reason}",
        TrialResultKind.Killed => $"stopped  {result.Trial.Name}: {result.Reason}",
        TrialResultKind.RunningElsewhere => $"skipped  {result.Trial.Name}: {result.Reason}",
        TrialResultKind.AlreadyFinished => $"skipped  {result.Trial.Name}: finished before",
        TrialResultKind.Submitted => $"queued   {result.Trial.Name} as {result.Job}",
        _ => $"not run  {result.Trial.Name}: {result.Reason}",
    };
}
