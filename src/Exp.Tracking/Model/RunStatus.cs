namespace Exp.Tracking.Model;

/// <summary>
/// MLflow's run statuses. The numeric values are the codes MLflow's file store writes
/// into a run's meta.yaml (mlflow.entities.RunStatus / the RunStatus proto enum).
/// </summary>
public enum RunStatus
{
    Running = 1,
    Scheduled = 2,
    Finished = 3,
    Failed = 4,
    Killed = 5,
}
