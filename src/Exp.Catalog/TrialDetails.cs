namespace Exp.Catalog;

/// <summary>One metric of a run, summed up.</summary>
/// <param name="Best">The best value, the way the metric declares better; null for a metric that ranks neither way.</param>
/// <param name="BestStep">The step of <paramref name="Best"/>.</param>
/// <param name="Count">How many values it has.</param>
public sealed record MetricSummary(string Key, double Last, double? Best, long? BestStep, int Count);

/// <summary>An image a trial logged (as <c>mlflow.log_image</c> does), with the epoch it is from.</summary>
/// <param name="Path">Its artifact path.</param>
public sealed record TrialPicture(long Epoch, long Step, string Key, string Path);

/// <summary>What `exp show` shows of a trial's run beside its record.</summary>
/// <param name="Params">Its params, by key.</param>
/// <param name="ArtifactDirectory">Where its artifacts are on disk.</param>
/// <param name="Pictures">Its images (not their previews), by epoch.</param>
public sealed record TrialDetails(
    IReadOnlyList<KeyValuePair<string, string>> Params,
    IReadOnlyList<MetricSummary> Metrics,
    string ArtifactDirectory,
    IReadOnlyList<string> Artifacts,
    IReadOnlyList<TrialPicture> Pictures);
