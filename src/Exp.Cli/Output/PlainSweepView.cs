using Exp.Runner.Search;
using Exp.Runner.Sweeps;
using Exp.Runner.Trials;
using Exp.Spec;

namespace Exp.Cli.Output;

/// <summary>
/// The view of `exp run` when stdout is not a terminal or on CI: one line per event worth a line,
/// on stderr, so that `exp run ... > table.txt` holds only the results.
/// </summary>
public sealed class PlainSweepView : ISweepObserver
{
    private readonly SweepBoard board = new();
    private readonly object gate = new();

    public void SweepStarted(SweepStart start)
    {
        board.Started(start);
        var where = start.Slots[0].Gpu is null ? $"{start.Slots[0].Threads} CPU thread(s) each" : "on GPUs";
        Write($"sweep {start.Plan.Experiment}: {start.Plan.Search?.Trials ?? start.Plan.Trials.Length} trial(s), {start.AlreadyFinished} finished before"
            + (start.AlreadyPruned > 0 ? $", {start.AlreadyPruned} pruned before" : "") + "; "
            + $"running {start.Slots.Count} at a time, {where}");
    }

    public void TrialStarted(Trial trial, string runId, Slot slot)
    {
        board.TrialStarted(trial, slot);
        Write($"started  {trial.Name} ({trial.Id}) in run {runId}{(slot.Location is { } where ? $" on {where}" : "")}");
    }

    public void TrialProgress(Trial trial, TrialEvent progress)
    {
        board.TrialProgress(trial, progress);
        if (progress.Kind == TrialEventKind.Evaluated)
        {
            var elbo = progress.Metrics is { } metrics ? MetricFormat.Of(metrics, Metrics.Elbo) : "";
            Write($"epoch    {trial.Name} {progress.Epoch}/{progress.Epochs}: held-out ELBO {elbo} nats; {SweepLines.Overall(board.Take())}");
        }
        else if (progress.Kind == TrialEventKind.Started && progress.Epoch > 0)
        {
            Write($"resumed  {trial.Name} after epoch {progress.Epoch} (step {progress.Step})");
        }
    }

    public void TrialEnded(TrialResult result)
    {
        board.TrialEnded(result);
        Write(SweepLines.Ended(result));
    }

    public void SearchDecided(SearchEvent update)
    {
        board.Searched(update);
        foreach (var line in SweepLines.Decided(update))
        {
            Write(line);
        }
        if (update.Decision is Decision.Promote or Decision.Finish)
        {
            Write(SweepLines.Rungs(update));
        }
    }

    public void Notice(string message) => Write(message);

    private void Write(string line)
    {
        lock (gate)
        {
            Console.Error.WriteLine(line);
        }
    }
}
