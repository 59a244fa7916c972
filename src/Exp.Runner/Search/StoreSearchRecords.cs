using System.Globalization;
using Exp.Runner.Trials;
using Exp.Spec;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;

namespace Exp.Runner.Search;

/// <summary>
/// An adaptive sweep's records in the store: the journal in the sweep's run, which is what a
/// new `exp run` replays, and on each trial's run its proposal number and its metric at each
/// rung it reached, so that the MLflow UI shows them too.
/// </summary>
public sealed class StoreSearchRecords(FileStore store, string sweepRunId, TrialLifecycle lifecycle) : ISearchRecords
{
    /// <summary>Where the journal is: an artifact of the sweep's run, so MLflow shows the decisions too.</summary>
    public const string JournalArtifact = "search/decisions.jsonl";

    private readonly SearchJournal journal = new(Path.Combine(store.ArtifactDirectory(sweepRunId), JournalArtifact));
    private readonly Dictionary<int, string> trialIds = [];

    public (IReadOnlyList<SearchTrial> Trials, int Proposals) Load()
    {
        var loaded = journal.Load();
        foreach (var trial in loaded.Trials)
        {
            trialIds[trial.Number] = trial.TrialId;
        }
        return loaded;
    }

    public void Proposed(SearchTrial trial, Trial config)
    {
        journal.Proposed(trial, config);
        trialIds[trial.Number] = config.Id;
    }

    public void Duplicate(int number, string trialId) => journal.Duplicate(number, trialId);

    public void Granted(int number, int epochs) => journal.Granted(number, epochs);

    public void Reached(int number, int epochs, double value, bool completed)
    {
        journal.Reached(number, epochs, value, completed);
        lifecycle.TagAsync(trialIds[number], [
            new RunTag(TrialTags.ProposalNumber, number.ToString(CultureInfo.InvariantCulture)),
            new RunTag(TrialTags.RungPrefix + epochs, value.ToString("R", CultureInfo.InvariantCulture)),
        ]).GetAwaiter().GetResult();
    }

    public void Failed(int number, string reason) => journal.Failed(number, reason);

    /// <summary>Journaled here; their runs are ended (FINISHED, tagged) by the runner, which may take a while with a server.</summary>
    public void Pruned(IReadOnlyList<(int Number, int Epochs, double Value)> trials) => journal.Pruned(trials);
}
