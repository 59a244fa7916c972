using Exp.Catalog;
using Exp.Tracking.Model;

namespace Exp.Report.Model;

/// <summary>One value of a metric's history.</summary>
public readonly record struct MetricPoint(long Step, double Value);

/// <summary>A picture a trial logged, and the file that holds it.</summary>
public sealed record LoggedImage(string Key, long Step, string Path);

/// <summary>A trial's run as read from the store: everything a page shows of it.</summary>
/// <param name="Pruning">Where and why an early-stopping scheduler stopped it (<see cref="TrialRecord.Pruning"/>); null when none did.</param>
public sealed record TrialSource(
    string RunId,
    string TrialId,
    string Name,
    RunStatus Status,
    string? Failure,
    TrialPruning? Pruning,
    long StartTime,
    long? EndTime,
    IReadOnlyDictionary<string, string> Params,
    IReadOnlyDictionary<string, IReadOnlyList<MetricPoint>> Metrics,
    IReadOnlyList<LoggedImage> Images)
{
    /// <summary>Trained to its end (<see cref="TrialRecord.Completed"/>): only such a trial is ranked and starred among the best.</summary>
    public bool Completed => TrialRecord.IsCompleted(Status, Pruning);

    /// <summary>Its configuration's group (<see cref="TrialRecord.ConfigGroup"/>): the replicates of one configuration share it.</summary>
    public string? ConfigGroup { get; init; }

    /// <summary>The configuration it is a replicate of; a trial without a group is a configuration of its own.</summary>
    public string Group => ConfigGroup ?? TrialId;
}

/// <summary>What one report page is made from: a sweep, an experiment's trials, or one trial.</summary>
/// <param name="Status">The sweep run's status; null when the page is not one sweep.</param>
/// <param name="Now">When the store was read, in ms since the Unix epoch (for the duration of running trials).</param>
public sealed record ReportSource(
    string Title,
    string Subtitle,
    string? Description,
    string? SpecText,
    RunStatus? Status,
    long Now,
    IReadOnlyList<TrialSource> Trials)
{
    /// <summary>One warning per run of this page that was left out because a file of it is damaged (<see cref="Exp.Tracking.LocalStore.DamagedRunException.Warning"/>).</summary>
    public IReadOnlyList<string> LeftOut { get; init; } = [];
}
