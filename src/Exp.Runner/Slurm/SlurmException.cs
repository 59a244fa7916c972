namespace Exp.Runner.Slurm;

/// <summary>Slurm cannot be used as asked: its message says what is wrong and what to do.</summary>
public sealed class SlurmException(string message) : Exception(message);
