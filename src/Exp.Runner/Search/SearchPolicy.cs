using Exp.Spec;

namespace Exp.Runner.Search;

/// <summary>
/// Decides what an adaptive sweep does next from its trials' records alone, so an `exp run`
/// started again after a crash takes the same decisions.
/// <para>
/// Asynchronous successive halving (ASHA, Li et al. 2018) with trials that pause: a trial trains
/// to a rung and stops there. When a slot is free, the highest rung with a promotable trial goes
/// first: one whose metric is in the top 1/reduction_factor of all trials that reached that rung
/// so far continues from its checkpoint to the next rung. Otherwise a new trial starts, until
/// `trials` were proposed. Unlike Optuna's pruner, which must decide when a trial reports
/// (and so promotes the first trials of a rung for want of rivals), a paused trial waits for its
/// rivals; and at most floor(n/reduction_factor) of the n trials at a rung are ever promoted,
/// so the sweep never trains more epochs than synchronous successive halving of the same trials.
/// A sweep's answer is a trial trained to max_epochs: when nothing else is left to do and no trial
/// was granted max_epochs (fewer than reduction_factor trials at the furthest rung, whose quota is
/// then 0), the best of that rung goes on, as Optuna's pruner promotes the best of a rung with
/// fewer than eta trials; but only once the rung can get no more rivals, so it is that rung's best
/// rather than its first (Ray's ASHA lets the first one go on).
/// Without a scheduler there is one rung, max_epochs: every trial trains to the end.
/// </para>
/// </summary>
public static class SearchPolicy
{
    /// <param name="trials">Every trial proposed so far.</param>
    /// <param name="busy">Trials being trained now, here or by another `exp run`: not to be resumed.</param>
    /// <param name="trainingHere">How many segments this `exp run` is training now (whose ends may open promotions).</param>
    /// <param name="proposals">How many proposals were made (duplicates of earlier trials included).</param>
    public static Decision Next(
        IReadOnlyList<SearchTrial> trials, IReadOnlySet<int> busy, int trainingHere, int proposals, int totalTrials, Scheduler scheduler, Objective objective)
    {
        if (trials.FirstOrDefault(t => t.Phase == SearchPhase.Running && !busy.Contains(t.Number)) is { } interrupted)
        {
            return new Decision.Resume(interrupted.Number, interrupted.Epochs);
        }
        var rungs = scheduler.Rungs;
        for (var k = rungs.Length - 2; k >= 0; k--)
        {
            if (Promotable(trials, rungs[k], scheduler.ReductionFactor, objective) is { } promoted)
            {
                return new Decision.Promote(promoted.Number, rungs[k], rungs[k + 1]);
            }
        }
        if (proposals < totalTrials)
        {
            return new Decision.Start(proposals + 1, rungs[0]);
        }
        if (trainingHere > 0)
        {
            return new Decision.Wait();
        }
        if (BestOfFurthestRung(trials, scheduler, objective) is { } best)
        {
            return new Decision.Promote(best.Number, best.Epochs, scheduler.Rungs[Array.IndexOf(scheduler.Rungs, best.Epochs) + 1], BestOfFurthestRung: true);
        }
        return new Decision.Finish(trials.Where(t => t.Phase == SearchPhase.Paused).Select(t => t.Number).ToList());
    }

    /// <summary>The best paused trial at <paramref name="rung"/> within its top 1/eta, while fewer than floor(n/eta) of its n trials were promoted.</summary>
    private static SearchTrial? Promotable(IReadOnlyList<SearchTrial> trials, int rung, int reductionFactor, Objective objective)
    {
        var members = trials.Where(t => t.Rungs.ContainsKey(rung)).ToList();
        var quota = members.Count / reductionFactor;
        var promoted = members.Count(t => t.Epochs > rung);
        if (promoted >= quota)
        {
            return null;
        }
        return Ranked(members, rung, objective)
            .Take(quota)
            .FirstOrDefault(t => t.Phase == SearchPhase.Paused && t.Epochs == rung);
    }

    /// <summary>
    /// The best paused trial at the furthest rung any trial was granted, while that rung is below
    /// max_epochs; null once a trial was granted max_epochs (even if it then failed: the bound on
    /// epochs counts that one) or when no trial at that rung can go on.
    /// </summary>
    private static SearchTrial? BestOfFurthestRung(IReadOnlyList<SearchTrial> trials, Scheduler scheduler, Objective objective)
    {
        if (trials.Count == 0)
        {
            return null;
        }
        var furthest = trials.Max(t => t.Epochs);
        if (furthest >= scheduler.MaxEpochs)
        {
            return null;
        }
        return Ranked(trials.Where(t => t.Rungs.ContainsKey(furthest)), furthest, objective)
            .FirstOrDefault(t => t.Phase == SearchPhase.Paused && t.Epochs == furthest);
    }

    /// <summary>Best first at a rung; a value that is not a number ranks last, ties go to the earlier trial.</summary>
    public static IEnumerable<SearchTrial> Ranked(IEnumerable<SearchTrial> trials, int rung, Objective objective) =>
        trials
            .OrderBy(t => double.IsNaN(t.Rungs[rung]) ? 1 : 0)
            .ThenBy(t => objective.Loss(t.Rungs[rung]))
            .ThenBy(t => t.Number);

    /// <summary>
    /// The most epochs ASHA can train <paramref name="trials"/> trials: every trial to the first
    /// rung, floor(n/eta) of them on to the second, and so on (synchronous successive halving's budget),
    /// where a rung that keeps none of its trials still sends its best on, so one trial reaches max_epochs.
    /// </summary>
    public static long Budget(int trials, Scheduler scheduler)
    {
        long total = 0;
        var count = trials;
        var previous = 0;
        foreach (var rung in scheduler.Rungs)
        {
            total += (long)count * (rung - previous);
            previous = rung;
            count = Math.Max(Math.Min(count, 1), count / Math.Max(1, scheduler.ReductionFactor));
        }
        return total;
    }
}
