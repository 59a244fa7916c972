namespace Exp.Tracking.Model;

/// <summary>One value of a metric: timestamp in milliseconds since the Unix epoch, and the step.</summary>
public sealed record Metric(string Key, double Value, long Timestamp, long Step);
