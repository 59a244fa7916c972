namespace Exp.Engine.Training;

/// <summary>
/// What a <see cref="Trainer"/> reports while it runs, called on the training thread. The engine
/// knows nothing of where reports go; the runner turns them into tracked metrics and artifacts.
/// Whatever belongs to an epoch (held-out metrics, pictures, and the test metrics and figures after
/// the last) comes with the global step that ended that epoch, as PyTorch Lightning logs per-epoch
/// values: one step axis for every record of a trial.
/// </summary>
public interface ITrainingObserver
{
    /// <summary>Every <c>train.log_every</c> steps and at the end of each epoch.</summary>
    void OnStep(TrainingStep step) { }

    /// <summary>Held-out metrics (names in <see cref="Objective.Metrics"/>) after each epoch, 1-based, which ended at <paramref name="step"/>.</summary>
    void OnEpochEvaluated(int epoch, long step, IReadOnlyDictionary<string, double> metrics) { }

    /// <summary>The test split's metrics (test/*), once, after the last epoch, which ended at <paramref name="step"/>.</summary>
    void OnTestEvaluated(long step, IReadOnlyDictionary<string, double> metrics) { }

    /// <summary>The proposal comparison, once, after the last epoch, when <c>eval.proposal_comparison</c> is on.</summary>
    void OnProposalComparison(Objective.ProposalComparisonResult result) { }

    /// <summary>A PNG image (keys in <see cref="Exp.Spec.ImageKeys"/>) of the epoch that ended at <paramref name="step"/>.</summary>
    void OnImage(string key, long step, byte[] png) { }

    /// <summary>A checkpoint of the state after <paramref name="epoch"/> is complete at <paramref name="path"/>.</summary>
    void OnCheckpoint(int epoch, string path) { }
}
