namespace Exp.Tracking.Model;

/// <summary>What a new run starts with. A null <see cref="StartTime"/> means "now".</summary>
public sealed record RunStart(string RunName)
{
    public string? ParentRunId { get; init; }
    public string UserId { get; init; } = Environment.UserName;
    public long? StartTime { get; init; }
    public IReadOnlyList<RunTag> Tags { get; init; } = [];
}
