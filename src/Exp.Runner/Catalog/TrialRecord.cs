using Exp.Tracking.Model;

namespace Exp.Runner.Catalog;

/// <summary>A trial's run as the local store has it.</summary>
/// <param name="Metrics">The last value of each metric.</param>
public sealed record TrialRecord(
    RunInfo Run,
    string TrialId,
    string? SweepRunId,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyDictionary<string, double> Metrics)
{
    public string Name => Run.RunName;

    public string RunId => Run.RunId;

    public string ExperimentId => Run.ExperimentId;

    /// <summary>The run's MLflow status in lower case: running, finished, failed, killed or scheduled.</summary>
    public string Status => Run.Status.ToString().ToLowerInvariant();

    public DateTimeOffset StartedAt => DateTimeOffset.FromUnixTimeMilliseconds(Run.StartTime);

    /// <summary>Why the run failed or stopped; null for a run that did neither (an earlier failure is cleared when it runs again).</summary>
    public string? Failure =>
        Run.Status is RunStatus.Failed or RunStatus.Killed && Tags.GetValueOrDefault(Trials.TrialTags.Failure) is { Length: > 0 } reason ? reason : null;
}
