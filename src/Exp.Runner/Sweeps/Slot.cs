namespace Exp.Runner.Sweeps;

/// <summary>A place to run one trial at a time: a share of the CPU cores, and a GPU or none.</summary>
public sealed record Slot(int Index, int Threads, int? Gpu)
{
    /// <summary>Where a launcher with a queue of its own put the trial (a Slurm array element); null for local slots.</summary>
    public string? Location { get; init; }

    /// <summary>
    /// Slots for a sweep. On GPUs, <paramref name="trialsPerGpu"/> trials share each GPU
    /// (small models leave a big GPU idle) and slots go round the GPUs. The cores are divided
    /// among the slots so that torch threads never outnumber them; on the CPU alone that caps
    /// the parallel trials at the number of cores.
    /// </summary>
    public static IReadOnlyList<Slot> Plan(int parallel, int cores, int gpus, int trialsPerGpu)
    {
        cores = Math.Max(1, cores);
        var count = gpus > 0 ? Math.Min(parallel, gpus * trialsPerGpu) : Math.Min(parallel, cores);
        count = Math.Max(1, count);
        var threads = Math.Max(1, cores / count);
        return Enumerable.Range(0, count).Select(i => new Slot(i, threads, gpus > 0 ? i % gpus : null)).ToList();
    }
}
