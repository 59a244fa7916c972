using Exp.Spec;

namespace Exp.Runner.Slurm;

/// <summary>What every element of a sweep's arrays asks Slurm for.</summary>
/// <param name="JobName">Shown by squeue; the sweep's name.</param>
/// <param name="Parallel">Elements running at once (the array's %throttle).</param>
/// <param name="LogDirectory">Where the elements' own output goes (the sweep run's folder); each trial's goes into its run.</param>
/// <param name="WorkingDirectory">Where the elements run: where `exp run` was started, so relative paths mean the same.</param>
public sealed record SlurmJobOptions(string JobName, int Parallel, string LogDirectory, string WorkingDirectory, SlurmConfig Slurm);
