using Exp.Engine.Native;
using Exp.Engine.Numerics;

namespace Exp.Engine.Training;

/// <summary>How to run a trial, beyond what its config says.</summary>
public sealed record TrainerOptions
{
    /// <summary>Where checkpoints go after each epoch; a run resumes from the latest one there. Null: none.</summary>
    public string? CheckpointDirectory { get; init; }

    public ITrainingObserver Observer { get; init; } = new NoObserver();

    /// <summary>
    /// Torch's intra-op threads. Process-wide in libtorch, so parallel trials belong in separate
    /// processes that each get a share of the cores. Null leaves torch's default (all cores).
    /// Never ask for more than the cores free: libtorch's OpenMP threads spin while they wait,
    /// and oversubscribed they run several times slower than one thread would.
    /// </summary>
    public int? Threads { get; init; }

    /// <summary>Overrides <c>train.device</c> (auto, cpu, cuda, cuda:N), e.g. to place trials on GPUs.</summary>
    public string? Device { get; init; }

    /// <summary>
    /// Stops after this epoch, checkpointed, though <c>train.epochs</c> is more: a budget
    /// (an early-stopping rung) after which the run continues from its checkpoint if at all.
    /// Null trains to <c>train.epochs</c>.
    /// </summary>
    public int? UntilEpoch { get; init; }

    /// <summary>
    /// Told what the trial computes convolutions with (<see cref="CpuKernels.EnsureCorrect"/>, with the
    /// model's own convolutions), on the trainer's thread, before the first convolution.
    /// </summary>
    public Action<CpuKernels.Choice>? KernelsChosen { get; init; }

    /// <summary>Told what the numerics check found before the first step (<c>train.numerics_check</c>).</summary>
    public Action<NumericsReport>? NumericsChecked { get; init; }

    private sealed class NoObserver : ITrainingObserver;
}
