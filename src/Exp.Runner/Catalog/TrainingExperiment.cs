using Exp.Tracking;
using Exp.Tracking.Model;

namespace Exp.Runner.Catalog;

/// <summary>The MLflow experiment a plan's runs go to.</summary>
public static class TrainingExperiment
{
    /// <summary>
    /// The named experiment, created if missing, and marked as a machine-learning experiment
    /// unless it already says what it is: without mlflow.experimentKind, MLflow 3's UI opens it
    /// on "We've automatically detected the experiment type ... Confirm". A kind its users chose
    /// in the UI is left as it is.
    /// </summary>
    public static ExperimentInfo Open(Tracker tracker, string name)
    {
        var experiment = tracker.GetOrCreateExperiment(name);
        if (!tracker.Store.GetExperimentTags(experiment.ExperimentId).ContainsKey(MlflowTags.ExperimentKind))
        {
            tracker.Store.SetExperimentTags(experiment.ExperimentId, [new RunTag(MlflowTags.ExperimentKind, MlflowTags.MachineLearningExperiment)]);
        }
        return experiment;
    }
}
