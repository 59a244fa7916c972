namespace Exp.Tracking.Model;

/// <summary>MLflow's lifecycle stages of experiments and runs, as the strings it stores.</summary>
public static class LifecycleStage
{
    public const string Active = "active";
    public const string Deleted = "deleted";
}
