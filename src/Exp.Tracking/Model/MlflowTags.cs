namespace Exp.Tracking.Model;

/// <summary>The system tag keys MLflow's UI and clients understand (mlflow/utils/mlflow_tags.py).</summary>
public static class MlflowTags
{
    public const string RunName = "mlflow.runName";
    public const string ParentRunId = "mlflow.parentRunId";
    public const string User = "mlflow.user";
    public const string SourceName = "mlflow.source.name";
    public const string SourceType = "mlflow.source.type";
    public const string GitCommit = "mlflow.source.git.commit";
    public const string LoggedImages = "mlflow.loggedImages";
}
