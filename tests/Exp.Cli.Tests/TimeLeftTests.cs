using Exp.Cli.Output;
using Exp.Runner.Sweeps;
using Exp.Runner.Trials;
using Exp.Spec;

namespace Exp.Cli.Tests;

/// <summary>The time-left estimate of `exp run` counts each trial's end-of-trial evaluation, not its training alone.</summary>
public sealed class TimeLeftTests
{
    private TimeSpan now;

    [Fact]
    public void The_estimate_counts_the_end_of_trial_evaluation_once_a_trial_has_shown_its_share()
    {
        var plan = Specs.Parse("experiment: x\ntrain:\n  epochs: 1\n", "spec.yaml", ["loss.kl_weight=0.1,1"]).Plan;
        var (a, b) = (plan.Trials[0], plan.Trials[1]);
        var slot = new Slot(0, 1, null);
        var board = new SweepBoard(() => now);
        board.Started(new SweepStart(plan, "1", "sweep", [slot], AlreadyFinished: 0));

        // A trains for 10 s, then spends 30 s in its end-of-trial evaluation: a trial is a quarter training, three quarters evaluation.
        board.TrialStarted(a, slot);
        At(10);
        board.TrialProgress(a, new TrialEvent(TrialEventKind.Evaluated, 1, 1, 10, 1.0));
        var beforeAnyEnded = board.Take();
        // Half the sweep's training is done in 10 s; nothing yet says what the evaluations take, and the line says so.
        Assert.Equal(TimeSpan.FromSeconds(10), beforeAnyEnded.Remaining);
        Assert.True(beforeAnyEnded.RemainingIsTrainingOnly);
        Assert.Contains("about 10.0s of training left, then the end-of-trial evaluations", SweepLines.Overall(beforeAnyEnded));

        At(40);
        board.TrialEnded(new TrialResult(a, TrialResultKind.Finished, "run-a", null, new Dictionary<string, double>(), TimeSpan.FromSeconds(40)));
        board.TrialStarted(b, slot);
        At(45);
        board.TrialProgress(b, new TrialEvent(TrialEventKind.Step, 1, 1, 5, 0.5));
        var halfwayThroughB = board.Take();

        // B trains 5 s more and evaluates for 30 s: 35 s left (training alone would say 15 s).
        Assert.False(halfwayThroughB.RemainingIsTrainingOnly);
        Assert.Equal(35.0, halfwayThroughB.Remaining!.Value.TotalSeconds, 9);
        Assert.Contains("about 35.0s left", SweepLines.Overall(halfwayThroughB));
    }

    private void At(double seconds) => now = TimeSpan.FromSeconds(seconds);
}
