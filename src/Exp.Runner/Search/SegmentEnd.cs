namespace Exp.Runner.Search;

/// <summary>How one segment of a trial ended.</summary>
public abstract record SegmentEnd
{
    /// <summary>Trained to its epochs; the metric there.</summary>
    public sealed record Reached(double Value) : SegmentEnd;

    public sealed record Failed(string Reason) : SegmentEnd;

    /// <summary>Stopped by the user (or claimed by another `exp run`) before its epochs: it continues next time.</summary>
    public sealed record Interrupted : SegmentEnd;
}
