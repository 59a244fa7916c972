namespace Exp.Runner.Trials;

/// <summary>The tags exp sets on runs, beside MLflow's own.</summary>
public static class TrialTags
{
    public const string TrialId = Exp.Tracking.Sweep.SweepRuns.TrialIdTag;
    public const string SweepId = "exp.sweepId";
    /// <summary>The command-line overrides a sweep ran with, on its run beside spec.yaml.</summary>
    public const string Overrides = "exp.overrides";
    /// <summary>Why a trial failed or stopped.</summary>
    public const string Failure = "exp.failure";
    /// <summary>MLflow shows this tag as the run's description.</summary>
    public const string Note = "mlflow.note.content";
}
