using Exp.Tracking.Model;

namespace Exp.Catalog;

/// <summary>
/// Renders a sweep's report (an HTML page) from the local store, as the sweep's run will read
/// once it ends with <paramref name="status"/> (it is rendered while the run is still open); null
/// when the store does not read it as a sweep (a damaged file: the catalog warns of it).
/// </summary>
/// <param name="runsFolder">The local store's root.</param>
public delegate byte[]? SweepReportRender(string runsFolder, string sweepRunId, RunStatus status);

/// <summary>A sweep's report: the artifact of the sweep's run it is written to, and how to render it.</summary>
public sealed record SweepReport(string Artifact, SweepReportRender Render);
