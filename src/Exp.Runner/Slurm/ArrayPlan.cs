namespace Exp.Runner.Slurm;

/// <summary>One trial as an array element runs it: its run's folder and the command that trains it there.</summary>
/// <param name="RunDirectory">The trial's run in the shared store; its logs go inside it.</param>
/// <param name="Command">The program and its arguments (`exp trial ...`).</param>
public sealed record ElementTrial(string TrialId, string RunId, string RunDirectory, IReadOnlyList<string> Command);

/// <summary>An array element: its index in its array, and the trials it runs one after another.</summary>
public sealed record ArrayElement(int Index, IReadOnlyList<ElementTrial> Trials);

/// <summary>One `sbatch --array`: at most the cluster's MaxArraySize elements.</summary>
public sealed record ArrayChunk(int Number, int Of, IReadOnlyList<ArrayElement> Elements);

/// <summary>
/// How a sweep's trials become job arrays. Very short trials are grouped, a fixed number
/// per element (execution.slurm.trials_per_element), because only the user knows how long
/// a trial takes; Slurm charges about a second per element, and each trial still gets its
/// own process. Arrays are split so that no index reaches MaxArraySize (Slurm refuses
/// indexes of MaxArraySize and above).
/// </summary>
public static class ArrayPlan
{
    public static IReadOnlyList<ArrayChunk> Split(IReadOnlyList<ElementTrial> trials, int trialsPerElement, int maxArraySize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trialsPerElement, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxArraySize, 1);
        var groups = trials.Chunk(trialsPerElement).ToList();
        var chunks = groups.Chunk(maxArraySize).ToList();
        return chunks
            .Select((elements, number) => new ArrayChunk(
                number + 1,
                chunks.Count,
                elements.Select((group, index) => new ArrayElement(index, group)).ToList()))
            .ToList();
    }
}
