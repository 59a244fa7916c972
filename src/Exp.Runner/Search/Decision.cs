namespace Exp.Runner.Search;

/// <summary>What an adaptive sweep does next when a slot is free: a value, recorded before the runner acts on it.</summary>
public abstract record Decision
{
    /// <summary>Continue a segment that was granted but never ended (its `exp run` was stopped or died): from its checkpoint, to the same epochs.</summary>
    public sealed record Resume(int Number, int Epochs) : Decision;

    /// <summary>Propose trial <paramref name="Number"/> and train it to the first rung.</summary>
    public sealed record Start(int Number, int Epochs) : Decision;

    /// <summary>Continue a paused trial from its checkpoint at <paramref name="FromEpochs"/>, in the same run, to the next rung.</summary>
    /// <param name="BestOfFurthestRung">
    /// Not for being in its rung's top 1/reduction_factor (that share is none: fewer than reduction_factor
    /// trials reached the rung) but as the best of the furthest rung, so the sweep ends with a trial at max_epochs.
    /// </param>
    public sealed record Promote(int Number, int FromEpochs, int ToEpochs, bool BestOfFurthestRung = false) : Decision;

    /// <summary>Nothing to start until a running segment ends.</summary>
    public sealed record Wait : Decision;

    /// <summary>Every proposal was made and nothing more can be promoted: the paused trials stop where they are.</summary>
    public sealed record Finish(IReadOnlyList<int> Pruned) : Decision;
}
