using System.Collections.Concurrent;
using Exp.Runner.Search;
using Exp.Runner.Sweeps;
using Exp.Runner.Trials;
using Exp.Spec;

namespace Exp.Runner.Tests.Support;

public sealed class RecordingSweepObserver : ISweepObserver
{
    public ConcurrentQueue<string> Started { get; } = new();

    public ConcurrentQueue<string> Notices { get; } = new();

    /// <summary>Called when a trial starts, from the sweep's thread.</summary>
    public Action<Trial> OnTrialStarted { get; init; } = _ => { };

    public void SweepStarted(SweepStart start)
    {
    }

    public void TrialStarted(Trial trial, string runId, Slot slot)
    {
        Started.Enqueue(trial.Name);
        OnTrialStarted(trial);
    }

    public void TrialProgress(Trial trial, TrialEvent progress)
    {
    }

    public void TrialEnded(TrialResult result)
    {
    }

    public ConcurrentQueue<Decision> Decisions { get; } = new();

    public void SearchDecided(SearchEvent update) => Decisions.Enqueue(update.Decision);

    public void Notice(string message) => Notices.Enqueue(message);
}
