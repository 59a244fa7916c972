using Exp.Spec;

namespace Exp.Runner.Search;

/// <summary>
/// Where an adaptive sweep writes each decision before acting on it, and reads them all back
/// when it starts again: the store, or memory in tests.
/// </summary>
public interface ISearchRecords
{
    /// <summary>The trials as recorded, and how many proposals were made (duplicates of earlier trials included).</summary>
    (IReadOnlyList<SearchTrial> Trials, int Proposals) Load();

    /// <summary>Proposal <paramref name="trial"/>.Number is <paramref name="config"/>, granted its first segment.</summary>
    void Proposed(SearchTrial trial, Trial config);

    /// <summary>Proposal <paramref name="number"/> resolved to a trial already proposed: nothing new to train.</summary>
    void Duplicate(int number, string trialId);

    /// <summary>The trial may continue to <paramref name="epochs"/> (a promotion).</summary>
    void Granted(int number, int epochs);

    /// <summary>The trial ended its segment at <paramref name="epochs"/> with this metric value; <paramref name="completed"/> at max_epochs.</summary>
    void Reached(int number, int epochs, double value, bool completed);

    void Failed(int number, string reason);

    /// <summary>The sweep ended with these trials paused below max_epochs: they stop there for good.</summary>
    void Pruned(IReadOnlyList<(int Number, int Epochs, double Value)> trials);
}
