using Exp.Runner.Trials;

namespace Exp.Runner.Jobs;

/// <summary>
/// What a trial says of itself when it ends, once: written by the trial to
/// <c>outcome.json</c> in its run, read by the run's owner, which ends the run from it. No
/// report after the trial's process ended means it died without a word (a native crash, a kill).
/// </summary>
/// <param name="Reason">Why it failed, stopped or paused, for people; null when it finished.</param>
/// <param name="Epoch">The epoch of its last checkpoint.</param>
/// <param name="Step">The step of its last checkpoint.</param>
/// <param name="Metrics">The last held-out metrics; empty when no epoch was evaluated.</param>
public sealed record TrialReport(TrialStatus Status, string? Reason, int Epoch, long Step, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>The exit code of a trial process, as a cluster's accounting sees it.</summary>
    public int ExitCode => Status switch
    {
        TrialStatus.Finished or TrialStatus.Paused => 0,
        TrialStatus.Killed => 130,
        _ => 1,
    };

    public void Write(string path) => JobJson.Write(path, this);

    /// <summary>The report at <paramref name="path"/>; null when the trial wrote none.</summary>
    public static TrialReport? TryRead(string path) => File.Exists(path) ? JobJson.Read<TrialReport>(path, "trial outcome file") : null;
}
