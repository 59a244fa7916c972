namespace Exp.Runner.Trials;

/// <param name="Reason">Why the trial failed or stopped, for people; null when it finished.</param>
/// <param name="Metrics">The last held-out metrics, empty when no epoch was evaluated.</param>
public sealed record TrialOutcome(TrialStatus Status, string? Reason, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>The exit code of a trial process: how `exp run` learns the outcome when the process dies before it says.</summary>
    public int ExitCode => Status switch
    {
        TrialStatus.Finished => 0,
        TrialStatus.Killed => 130,
        _ => 1,
    };
}
