using Exp.Tracking.Model;

namespace Exp.Tracking.Rest;

/// <summary>A run as the REST API returns it: its info and its data (latest metrics, params, tags).</summary>
public sealed record MlflowRun(RunInfo Info, MlflowRunData? Data);

/// <summary>The data part of a REST run; lists the server leaves out come back null.</summary>
public sealed record MlflowRunData(IReadOnlyList<Metric>? Metrics, IReadOnlyList<Param>? Params, IReadOnlyList<RunTag>? Tags);
