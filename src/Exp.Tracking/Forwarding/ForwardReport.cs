namespace Exp.Tracking.Forwarding;

/// <summary>What one forwarding pass of a run sent; <see cref="Warning"/> names something it could not send.</summary>
public sealed record ForwardReport(string ServerRunId, int Metrics, int Params, int Tags, int Artifacts, bool StatusSent, string? Warning);
