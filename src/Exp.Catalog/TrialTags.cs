namespace Exp.Catalog;

/// <summary>The tags exp sets on runs, beside MLflow's own: how sweeps and trials are found again in a store.</summary>
public static class TrialTags
{
    /// <summary>A trial's stable id, on its run.</summary>
    public const string TrialId = "exp.trialId";
    /// <summary>Shared by the runs of one configuration's replicates (trials that differ only in their seed): group by it in MLflow.</summary>
    public const string ConfigGroup = "exp.configGroup";
    /// <summary>Which replicate of its configuration a trial is, from 1.</summary>
    public const string Replicate = "exp.replicate";
    /// <summary>A sweep's id, on its parent run.</summary>
    public const string SweepId = "exp.sweepId";
    /// <summary>The metric a sweep ranks its trials by (sweep.metric), on the sweep's run and its trials' runs.</summary>
    public const string ObjectiveMetric = "exp.objective.metric";
    /// <summary>Whether the sweep maximizes or minimizes it (sweep.goal).</summary>
    public const string ObjectiveGoal = "exp.objective.goal";
    /// <summary>On the sweep's run: the run id of its best trial.</summary>
    public const string BestRunId = "exp.best.runId";
    /// <summary>On the sweep's run: the name of its best trial.</summary>
    public const string BestTrial = "exp.best.trial";
    /// <summary>The command-line overrides a sweep ran with, on its run beside spec.yaml.</summary>
    public const string Overrides = "exp.overrides";
    /// <summary>Why a trial failed or stopped.</summary>
    public const string Failure = "exp.failure";
    /// <summary>An adaptive sweep's number for the trial: the order in which it was proposed.</summary>
    public const string ProposalNumber = "exp.proposal";
    /// <summary>Prefix of the tags holding the trial's metric at each ASHA rung it reached: exp.rung.3 = the value after 3 epochs.</summary>
    public const string RungPrefix = "exp.rung.";
    /// <summary>Set when ASHA stopped the trial for good: where and why. Its run is FINISHED with what it reached.</summary>
    public const string Pruned = "exp.pruned";
    /// <summary>What the trial's CPU convolutions compute with (onednn-isa-avx, onednn-off, unguarded): see CpuKernels.</summary>
    public const string CpuKernels = "exp.cpu_kernels";
    /// <summary>MLflow shows this tag as the run's description.</summary>
    public const string Note = "mlflow.note.content";
}
