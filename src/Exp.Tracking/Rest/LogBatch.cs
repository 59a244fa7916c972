using Exp.Tracking.Model;

namespace Exp.Tracking.Rest;

/// <summary>
/// One runs/log-batch request's content, and the splitting of a larger batch into requests
/// within MLflow's documented limits (mlflow/utils/validation.py): at most 1000 metrics,
/// 100 params, 100 tags and 1000 entities in all per request, and at most 1 MB of JSON.
/// </summary>
public sealed record LogBatch(IReadOnlyList<Metric> Metrics, IReadOnlyList<Param> Params, IReadOnlyList<RunTag> Tags)
{
    public const int MaxMetrics = 1000;
    public const int MaxParamsOrTags = 100;
    public const int MaxEntities = 1000;

    /// <summary>Kept below MLflow's 1,000,000-byte request limit to leave room for JSON punctuation.</summary>
    public const int MaxApproximateBytes = 900_000;

    public int Count => Metrics.Count + Params.Count + Tags.Count;

    /// <summary>Splits into requests within the limits, params first, then tags, then metrics in order.</summary>
    public IEnumerable<LogBatch> Split()
    {
        var metrics = new List<Metric>();
        var parameters = new List<Param>();
        var tags = new List<RunTag>();
        var bytes = 0;

        bool Fits(int entityBytes, int kindCount, int kindLimit) =>
            kindCount < kindLimit && metrics.Count + parameters.Count + tags.Count < MaxEntities && bytes + entityBytes <= MaxApproximateBytes;

        LogBatch Take()
        {
            var batch = new LogBatch(metrics.ToList(), parameters.ToList(), tags.ToList());
            metrics.Clear();
            parameters.Clear();
            tags.Clear();
            bytes = 0;
            return batch;
        }

        foreach (var param in Params)
        {
            var size = ApproximateBytes(param.Key, param.Value);
            if (!Fits(size, parameters.Count, MaxParamsOrTags))
            {
                yield return Take();
            }
            parameters.Add(param);
            bytes += size;
        }
        foreach (var tag in Tags)
        {
            var size = ApproximateBytes(tag.Key, tag.Value);
            if (!Fits(size, tags.Count, MaxParamsOrTags))
            {
                yield return Take();
            }
            tags.Add(tag);
            bytes += size;
        }
        foreach (var metric in Metrics)
        {
            var size = ApproximateBytes(metric.Key, "-1.2345678901234567E-300") + 40;
            if (!Fits(size, metrics.Count, MaxMetrics))
            {
                yield return Take();
            }
            metrics.Add(metric);
            bytes += size;
        }
        if (metrics.Count + parameters.Count + tags.Count > 0)
        {
            yield return Take();
        }
    }

    // JSON may escape a character into up to 6 bytes ("\u00e9"); counting 6 per char is safe.
    private static int ApproximateBytes(string key, string value) => 6 * (key.Length + value.Length) + 30;
}
