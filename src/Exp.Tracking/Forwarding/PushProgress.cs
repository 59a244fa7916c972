namespace Exp.Tracking.Forwarding;

/// <summary>Progress of a push: runs finished so far out of all, and the run at hand.</summary>
public sealed record PushProgress(int RunsDone, int RunsTotal, string CurrentRunName);
