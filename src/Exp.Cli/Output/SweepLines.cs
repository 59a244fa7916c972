using Exp.Runner.Catalog;
using Exp.Runner.Sweeps;

namespace Exp.Cli.Output;

/// <summary>Lines both sweep views print.</summary>
public static class SweepLines
{
    public static string Overall(SweepBoard.Snapshot state)
    {
        var remaining = state.Remaining is { } left ? $", about {MetricFormat.Duration(left)} left" : "";
        return $"{state.Done + state.AlreadyFinished}/{state.Total} done, {state.Running.Count} running, {state.Failed} failed, "
            + $"{state.Left} waiting; {MetricFormat.Duration(state.Elapsed)} elapsed{remaining}";
    }

    public static string Ended(TrialResult result) => result.Kind switch
    {
        TrialResultKind.Finished => $"finished {result.Trial.Name} in {MetricFormat.Duration(result.Duration)}: held-out ELBO {MetricFormat.Of(result.Metrics, TrialMetrics.Elbo)} nats",
        TrialResultKind.Failed => $"FAILED   {result.Trial.Name}: {result.Reason}",
        TrialResultKind.Killed => $"stopped  {result.Trial.Name}: {result.Reason}",
        TrialResultKind.RunningElsewhere => $"skipped  {result.Trial.Name}: {result.Reason}",
        TrialResultKind.AlreadyFinished => $"skipped  {result.Trial.Name}: finished before",
        TrialResultKind.Submitted => $"queued   {result.Trial.Name} as {result.Reason}",
        _ => $"not run  {result.Trial.Name}: {result.Reason}",
    };
}
