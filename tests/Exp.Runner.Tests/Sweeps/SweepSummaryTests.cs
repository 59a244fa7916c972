using Exp.Runner.Catalog;
using Exp.Runner.Sweeps;
using Exp.Spec;

namespace Exp.Runner.Tests.Sweeps;

public class SweepSummaryTests
{
    [Fact]
    public void Trials_that_trained_to_their_end_rank_first_then_pruned_ones_then_failed_ones_whatever_their_last_values()
    {
        var trials = Specs.Parse("experiment: x\nsweep:\n  parameters:\n    loss.kl_weight: [0.1, 0.2, 0.3, 0.4, 0.5]\n", "spec.yaml").Plan.Trials;
        TrialResult Result(int index, TrialResultKind kind, double? elbo) => new(
            trials[index], kind, $"run-{index}", null,
            elbo is { } value ? new Dictionary<string, double> { ["eval/elbo"] = value } : new Dictionary<string, double>(),
            TimeSpan.FromSeconds(1));
        // A trial that crashed after a good first epoch, and one pruned at a good rung, logged the highest ELBOs.
        var summary = new SweepSummary("x", "1", "sweep", new RunsLocation("runs", null),
            [
                Result(0, TrialResultKind.Failed, -10),
                Result(1, TrialResultKind.Finished, -100),
                Result(2, TrialResultKind.Pruned, -5),
                Result(3, TrialResultKind.AlreadyFinished, -50),
                Result(4, TrialResultKind.Finished, null),
            ],
            Stopped: false, TimeSpan.FromSeconds(5), Delivery: null);

        Assert.Equal(["run-3", "run-1", "run-4", "run-2", "run-0"], summary.Ranked.Select(r => r.RunId));
    }
}
