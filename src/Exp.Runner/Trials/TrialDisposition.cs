using Exp.Runner.Catalog;

namespace Exp.Runner.Trials;

public enum DispositionKind
{
    /// <summary>No run yet: one is created.</summary>
    New,
    /// <summary>Its run finished: nothing to do.</summary>
    Skip,
    /// <summary>Its run has a checkpoint: it continues from that epoch in the same run.</summary>
    Resume,
    /// <summary>Its run has no checkpoint: it starts again from scratch in the same run.</summary>
    StartOver,
    /// <summary>Another `exp run`, or a trial process it left behind, holds it.</summary>
    RunningElsewhere,
}

/// <summary>What a run of the sweep does with a trial, given what the store holds.</summary>
/// <param name="Existing">The trial's run, if it has one.</param>
/// <param name="ResumeEpoch">For <see cref="DispositionKind.Resume"/>, the epoch of its checkpoint; 0 otherwise.</param>
/// <param name="Why">For <see cref="DispositionKind.RunningElsewhere"/>, who holds it.</param>
public sealed record TrialDisposition(DispositionKind Kind, TrialRecord? Existing, int ResumeEpoch = 0, string? Why = null)
{
    public static readonly TrialDisposition New = new(DispositionKind.New, null);
}
