namespace Exp.Runner.Launching;

/// <summary>
/// What a launcher calls a job it submitted, as that launcher's own tools take it. Typed, so
/// that nobody parses it back out of a message.
/// </summary>
/// <param name="Launcher">Whose id it is ("process", "Slurm"): what people read before it.</param>
/// <param name="Value">The id: a process id, or a Slurm array element (`arrayJobId_index`, what squeue and scancel take).</param>
/// <param name="Batch">The submission the job went in with (a Slurm job array); null where each job is submitted alone.</param>
public sealed record JobId(string Launcher, string Value, string? Batch = null)
{
    public override string ToString() => $"{Launcher} {Value}";
}
