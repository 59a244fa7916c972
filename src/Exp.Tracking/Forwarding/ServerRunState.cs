using Exp.Tracking.Model;

namespace Exp.Tracking.Forwarding;

/// <summary>
/// How far one local run has been forwarded to one server: the server's ids for it, how
/// many lines of each metric file were sent, which params, tag values and artifacts
/// (with their sizes) arrived, and the last end status sent.
/// </summary>
public sealed class ServerRunState
{
    public string? ExperimentId { get; set; }

    public string? RunId { get; set; }

    public string? ArtifactUri { get; set; }

    public Dictionary<string, int> MetricLines { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Where the sent lines of each metric file end, so a pass reads only what was appended
    /// since (a long run would otherwise re-read its whole history every pass). Trusted only
    /// while its line count equals <see cref="MetricLines"/>; otherwise the file is read whole.
    /// </summary>
    public Dictionary<string, MetricOffset> MetricOffsets { get; set; } = new(StringComparer.Ordinal);

    public HashSet<string> Params { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Tags { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, long> Artifacts { get; set; } = new(StringComparer.Ordinal);

    public RunStatus? Status { get; set; }

    public long? EndTime { get; set; }

    /// <summary>Why the last attempt to send the run fell short; null after a pass that sent everything.</summary>
    public string? Problem { get; set; }

    /// <summary>Whether <see cref="Problem"/> is a refusal (a 4xx), which sending again will not change.</summary>
    public bool Refused { get; set; }
}

/// <summary>The byte offset in a metric file just past its first <paramref name="Lines"/> lines.</summary>
public sealed record MetricOffset(int Lines, long Bytes);
