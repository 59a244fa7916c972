using Exp.Runner.Search;
using Exp.Runner.Trials;
using Exp.Spec;

namespace Exp.Runner.Sweeps;

/// <param name="AlreadyFinished">Trials that an earlier run trained to their end.</param>
/// <param name="AlreadyPruned">Trials that an earlier run of an adaptive sweep stopped early for good (pruned); 0 for the other sweeps.</param>
public sealed record SweepStart(Plan Plan, string ExperimentId, string? SweepRunId, IReadOnlyList<Slot> Slots, int AlreadyFinished, int AlreadyPruned = 0);

/// <summary>What a sweep reports as it goes; the CLI shows it live. Called from several threads.</summary>
public interface ISweepObserver
{
    void SweepStarted(SweepStart start);

    void TrialStarted(Trial trial, string runId, Slot slot);

    void TrialProgress(Trial trial, TrialEvent progress);

    void TrialEnded(TrialResult result);

    /// <summary>An adaptive sweep proposed, promoted, resumed or pruned trials (recorded already).</summary>
    void SearchDecided(SearchEvent update);

    /// <summary>Something the user should know that is not a trial's result.</summary>
    void Notice(string message);
}
