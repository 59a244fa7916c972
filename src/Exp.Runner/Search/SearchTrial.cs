namespace Exp.Runner.Search;

public enum SearchPhase
{
    /// <summary>A segment was granted and has not ended (running now, or interrupted: it continues from its checkpoint).</summary>
    Running,
    /// <summary>Ended its segment at a rung below max_epochs; may still be promoted.</summary>
    Paused,
    /// <summary>Reached max_epochs.</summary>
    Completed,
    /// <summary>Stopped for good at a rung: the sweep ended without promoting it.</summary>
    Pruned,
    Failed,
}

/// <summary>
/// One trial of an adaptive sweep as its records say: what was proposed, how far it may
/// train (the epochs of its current segment), and its metric at each rung it reached.
/// </summary>
/// <param name="Number">The proposal's number, from 1.</param>
/// <param name="Values">The proposal, one value per searched parameter as samplers hold them (empty for a fixed list of trials).</param>
/// <param name="Epochs">The epochs its current or last segment trains to.</param>
/// <param name="Rungs">The metric at each rung it reached, by epochs.</param>
public sealed record SearchTrial(
    int Number,
    string TrialId,
    IReadOnlyList<double> Values,
    int Epochs,
    IReadOnlyDictionary<int, double> Rungs,
    SearchPhase Phase)
{
    /// <summary>The furthest rung it reached, and its value there; null before its first.</summary>
    public (int Epochs, double Value)? Last =>
        Rungs.Count == 0 ? null : Rungs.MaxBy(r => r.Key) is var last ? (last.Key, last.Value) : null;
}
