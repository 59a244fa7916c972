namespace Exp.Tracking.Tests.Support;

/// <summary>A clock that stands still unless moved, so written timestamps are known.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
