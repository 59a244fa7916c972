using Exp.Tracking.Model;

namespace Exp.Tracking.LocalStore;

/// <summary>Values read from the end of a metric file, and the byte offset where the next read starts.</summary>
public sealed record MetricTail(IReadOnlyList<Metric> Values, long EndOffset);
