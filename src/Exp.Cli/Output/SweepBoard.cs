using System.Diagnostics;
using Exp.Runner.Search;
using Exp.Runner.Sweeps;
using Exp.Runner.Trials;
using Exp.Spec;

namespace Exp.Cli.Output;

/// <summary>The state of a running sweep as the views show it; updated from the sweep's threads.</summary>
public sealed class SweepBoard(Func<TimeSpan> clock)
{
    private readonly object gate = new();
    private readonly Dictionary<string, RunningTrial> running = [];
    // When each running trial started and finished training, by this board's clock: the time from then
    // to its end is its end-of-trial evaluation (test ELBO and IWAE, proposals), which its progress does not count.
    private readonly Dictionary<string, TimeSpan> startedAt = [];
    private readonly Dictionary<string, TimeSpan> trainedAt = [];
    private readonly List<double> evaluationShares = [];
    private int total;
    private int toRun;
    private int ended;
    private int failed;

    /// <summary>A board on the wall clock, from now.</summary>
    public SweepBoard()
        : this(StartClock())
    {
    }

    private static Func<TimeSpan> StartClock()
    {
        var watch = Stopwatch.StartNew();
        return () => watch.Elapsed;
    }

    public sealed record RunningTrial(Trial Trial, Slot Slot, int Epoch, int Epochs, double Progress, double? Loss);

    /// <param name="Remaining">The time left, end-of-trial evaluations included once one trial has shown what they take.</param>
    /// <param name="RemainingIsTrainingOnly">No trial has ended yet, so <paramref name="Remaining"/> is the training's alone.</param>
    /// <param name="Search">An adaptive sweep's latest decision and trials; null for the other sweeps.</param>
    public sealed record Snapshot(
        int Total, int DoneBefore, int Done, int Failed, int Left, IReadOnlyList<RunningTrial> Running, TimeSpan Elapsed, TimeSpan? Remaining,
        bool RemainingIsTrainingOnly, SearchEvent? Search);

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
            startedAt[trial.Id] = clock();
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
                if (progress.Kind == TrialEventKind.Evaluated && progress.Epoch == progress.Epochs)
                {
                    trainedAt[trial.Id] = clock();
                }
            }
        }
    }

    public void TrialEnded(TrialResult result)
    {
        lock (gate)
        {
            running.Remove(result.Trial.Id);
            var now = clock();
            if (result.Kind == TrialResultKind.Finished && startedAt.TryGetValue(result.Trial.Id, out var started)
                && trainedAt.TryGetValue(result.Trial.Id, out var trained) && now > started)
            {
                evaluationShares.Add((now - trained) / (now - started));
            }
            startedAt.Remove(result.Trial.Id);
            trainedAt.Remove(result.Trial.Id);
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
            var elapsed = clock();
            // A trial is its training and its end-of-trial evaluation, the latter's share as measured on the trials that
            // ended; before any has, the estimate can only be the training's, and says so.
            var evaluation = evaluationShares.Count > 0 ? evaluationShares.Average() : 0;
            var trainingOnly = evaluationShares.Count == 0 && running.Count > 0;
            var done = ended + running.Values.Sum(r => r.Progress * (1 - evaluation));
            var fraction = toRun == 0 ? 1.0 : done / toRun;
            TimeSpan? remaining = fraction is > 0.01 and < 1 ? elapsed * ((1 - fraction) / fraction) : null;
            return new Snapshot(
                total, DoneBefore, ended - failed, failed, Math.Max(0, toRun - ended - running.Count),
                running.Values.OrderBy(r => r.Slot.Index).ToList(), elapsed, remaining, trainingOnly, search);
        }
    }
}
