using Exp.Runner.Sweeps;
using Exp.Spec;

namespace Exp.Runner.Trials;

/// <summary>Where and how far a trial runs this time: its slot's threads and GPU, and its budget.</summary>
/// <param name="Threads">Torch threads; null: all cores.</param>
/// <param name="Gpu">The GPU, among those this process sees; null: none.</param>
/// <param name="UntilEpoch">Stop after this epoch; null: train.epochs.</param>
public sealed record TrialPlacement(int? Threads, int? Gpu, int? UntilEpoch = null)
{
    /// <summary>The slot's share, except that a trial that asks for the CPU stays there, whatever its slot.</summary>
    public static TrialPlacement For(Trial trial, Slot slot, int? untilEpoch = null) =>
        new(slot.Threads, trial.Config.Train.Device == "cpu" ? null : slot.Gpu, untilEpoch);

    /// <summary>On a GPU the trial runs with device cuda (its one visible GPU), whatever its train.device says.</summary>
    public string? Device => Gpu is null ? null : "cuda";
}
