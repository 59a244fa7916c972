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

    /// <summary>
    /// An experiment tag: what the experiment is for. Without it, MLflow 3's UI infers a kind
    /// and asks the user to confirm it; confirming "Machine learning" writes
    /// <see cref="MachineLearningExperiment"/> (mlflow/server/js: ExperimentKindUtils.ts, ExperimentKind in constants.ts).
    /// </summary>
    public const string ExperimentKind = "mlflow.experimentKind";

    /// <summary>The <see cref="ExperimentKind"/> of an experiment that trains models (the UI's "Machine learning").</summary>
    public const string MachineLearningExperiment = "custom_model_development";
}
