namespace Exp.Runner.Slurm;

/// <summary>The tags a trial run gets under Slurm: where it ran, and how often it was requeued.</summary>
public static class SlurmTags
{
    /// <summary>The array element, `arrayJobId_index`: what squeue, scontrol and scancel take.</summary>
    public const string Element = "exp.slurm.element";

    /// <summary>The job id Slurm gave the element (each element of an array has its own).</summary>
    public const string JobId = "exp.slurm.jobId";

    public const string Node = "exp.slurm.node";

    /// <summary>The GPUs Slurm gave the element (CUDA_VISIBLE_DEVICES); "" without GPUs.</summary>
    public const string Gpus = "exp.slurm.gpus";

    /// <summary>Every requeue (preemption, node failure, time limit): SLURM_RESTART_COUNT.</summary>
    public const string Restarts = "exp.slurm.restarts";

    /// <summary>Requeues after reaching the time limit; these count against max_time_limit_requeues.</summary>
    public const string TimeLimitRequeues = "exp.slurm.timeLimitRequeues";

    /// <summary>On the sweep's run: the array job ids it submitted, comma-separated.</summary>
    public const string Arrays = "exp.slurm.arrays";
}
