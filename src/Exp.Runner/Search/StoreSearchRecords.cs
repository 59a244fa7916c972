using System.Globalization;
using Exp.Runner.Catalog;
using Exp.Runner.Trials;
using Exp.Spec;
using Exp.Tracking.LocalStore;
using Exp.Tracking.Model;

namespace Exp.Runner.Search;

/// <summary>
/// An adaptive sweep's records in the store: the journal in the sweep's run, which is what a
/// new `exp run` replays, and tags on each trial's run (its proposal number, its metric at each
/// rung, and why it was pruned) so that the MLflow UI shows what happened to it.
/// </summary>
public sealed class StoreSearchRecords(FileStore store, RunCatalog catalog, string experimentId, string sweepRunId, Plan plan) : ISearchRecords
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
        Tag(number, [new RunTag(TrialTags.ProposalNumber, number.ToString(CultureInfo.InvariantCulture)), new RunTag(TrialTags.RungPrefix + epochs, Format(value))]);
    }

    public void Failed(int number, string reason) => journal.Failed(number, reason);

    public void Pruned(IReadOnlyList<(int Number, int Epochs, double Value)> trials)
    {
        journal.Pruned(trials);
        foreach (var (number, epochs, value) in trials)
        {
            var why = $"stopped at {epochs} of {plan.Scheduler.MaxEpochs} epochs: {plan.Objective.Metric} {Format(value)} was not in the top 1/{plan.Scheduler.ReductionFactor} of the trials there";
            if (Tag(number, [new RunTag(TrialTags.Pruned, why)]) is { } runId && store.GetRun(runId).Status != RunStatus.Finished)
            {
                // A pruned trial is done: FINISHED with what it reached, so MLflow lists it beside the others.
                store.UpdateRun(runId, RunStatus.Finished, store.Now());
            }
        }
    }

    private string? Tag(int number, IEnumerable<RunTag> tags)
    {
        if (trialIds.GetValueOrDefault(number) is not { } trialId || catalog.FindTrial(experimentId, trialId) is not { } record)
        {
            return null;
        }
        store.SetTags(record.Run.RunId, tags);
        return record.Run.RunId;
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
