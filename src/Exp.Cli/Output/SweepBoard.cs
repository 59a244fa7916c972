using System.Diagnostics;
using Exp.Runner.Search;
using Exp.Runner.Sweeps;
using Exp.Runner.Trials;
using Exp.Spec;

namespace Exp.Cli.Output;

/// <summary>The state of a running sweep as the views show it; updated from the sweep's threads.</summary>
public sealed class SweepBoard
{
    private readonly object gate = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Dictionary<string, RunningTrial> running = [];
    private int total;
    private int toRun;
    private int ended;
    private int failed;

    public sealed record RunningTrial(Trial Trial, Slot Slot, int Epoch, int Epochs, double Progress, double? Loss);

    /// <param name="Search">An adaptive sweep's latest decision and trials; null for the other sweeps.</param>
    public sealed record Snapshot(
        int Total, int DoneBefore, int Done, int Failed, int Left, IReadOnlyList<RunningTrial> Running, TimeSpan Elapsed, TimeSpan? Remaining,
        SearchEvent? Search);

    private SearchEvent? search;

    public void Searched(SearchEvent update)
    {
        lock (gate)
        {
            search = update;
        }
    }

    public void Started(SweepStart start)
    {
        lock (gate)
        {
            total = start.Plan.Search?.Trials ?? start.Plan.Trials.Length;
            DoneBefore = start.AlreadyFinished + start.AlreadyPruned;
            toRun = total - DoneBefore;
        }
    }

    /// <summary>Trials an earlier run finished or pruned: none of this run's work.</summary>
    public int DoneBefore { get; private set; }

    public void TrialStarted(Trial trial, Slot slot)
    {
        lock (gate)
        {
            if (running.ContainsKey(trial.Id))
            {
                return;
            }
            running[trial.Id] = new RunningTrial(trial, slot, 0, trial.Config.Train.Epochs, 0, null);
        }
    }

    public void TrialProgress(Trial trial, TrialEvent progress)
    {
        lock (gate)
        {
            if (running.TryGetValue(trial.Id, out var current))
            {
                running[trial.Id] = current with
                {
                    Epoch = progress.Kind == TrialEventKind.Step ? progress.Epoch : Math.Max(current.Epoch, progress.Epoch),
                    Progress = progress.Progress,
                    Loss = progress.Loss ?? current.Loss,
                };
            }
        }
    }

    public void TrialEnded(TrialResult result)
    {
        lock (gate)
        {
            running.Remove(result.Trial.Id);
            if (result.Kind == TrialResultKind.Paused)
            {
                // A segment of an adaptive sweep: the trial is not done, it waits at its rung.
                return;
            }
            if (result.Kind is TrialResultKind.AlreadyFinished or TrialResultKind.RunningElsewhere)
            {
                // Not this run's work: it leaves the estimate, and counts as done or elsewhere.
                toRun--;
                if (result.Kind == TrialResultKind.AlreadyFinished)
                {
                    DoneBefore++;
                }
                return;
            }
            ended++;
            if (result.Kind == TrialResultKind.Failed)
            {
                failed++;
            }
        }
    }

    public Snapshot Take()
    {
        lock (gate)
        {
            var elapsed = clock.Elapsed;
            var fraction = toRun == 0 ? 1.0 : (ended + running.Values.Sum(r => r.Progress)) / toRun;
            TimeSpan? remaining = fraction is > 0.01 and < 1 ? elapsed * ((1 - fraction) / fraction) : null;
            return new Snapshot(
                total, DoneBefore, ended - failed, failed, Math.Max(0, toRun - ended - running.Count),
                running.Values.OrderBy(r => r.Slot.Index).ToList(), elapsed, remaining, search);
        }
    }
}
