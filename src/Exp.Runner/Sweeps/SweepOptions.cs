using Serilog;

namespace Exp.Runner.Sweeps;

public sealed record SweepOptions
{
    /// <summary>Trials at once; null takes execution.parallel from the spec.</summary>
    public int? Parallel { get; init; }

    /// <summary>Stop launching trials after this many have failed; null never stops.</summary>
    public int? MaxFailures { get; init; }

    public int Cores { get; init; } = Environment.ProcessorCount;

    /// <summary>Submit the trials to a launcher that queues them, and return without waiting; their runs stay open.</summary>
    public bool Detach { get; init; }

    /// <summary>GPUs to place trials on; null: the CUDA devices of this machine, none when every trial asks for the CPU.</summary>
    public int? Gpus { get; init; }

    public string WorkingDirectory { get; init; } = Environment.CurrentDirectory;

    /// <summary>
    /// The sweep's report, written as an artifact of its run just before that run ends, so it is
    /// forwarded with the run and counted in the delivery account; null writes none.
    /// </summary>
    public SweepReport? Report { get; init; }

    public ILogger Log { get; init; } = Serilog.Core.Logger.None;
}
