namespace Exp.Runner.Trials;

/// <summary>How a trial's time in a process ended, as the trial itself reports it.</summary>
public enum TrialStatus
{
    Finished,
    Failed,
    /// <summary>Stopped by the user (Ctrl-C); resumes from its checkpoint on the next run.</summary>
    Killed,
    /// <summary>Reached its job's <c>untilEpoch</c> before train.epochs; continues from its checkpoint when launched again.</summary>
    Paused,
}
