namespace Exp.Runner.Trials;

public enum TrialStatus
{
    Finished,
    Failed,
    /// <summary>Stopped by the user (Ctrl-C); resumes from its checkpoint on the next run.</summary>
    Killed,
}
