using Exp.Cli.Tests.Support;
using Exp.Engine.Objective;
using Exp.Runner.Search;
using Exp.Runner.Trials;
using Exp.Testing;
using Exp.Tracking.Model;

namespace Exp.Cli.Tests;

/// <summary>`exp run` of a TPE + ASHA sweep end to end on a Fashion-MNIST subset.</summary>
public sealed class AdaptiveSweepRunTests : IDisposable
{
    private readonly Workspace workspace = new();

    private const string Spec = """
        experiment: e2e-asha
        data:
          dataset: fashion-mnist
          train_limit: 600
          test_limit: 200
        model:
          channels: [8, 16]
          latent_dim: 4
        loss:
          noise_sigma: 0.2
        train:
          batch_size: 50
          log_every: 1
        eval:
          test_iwae_samples: 10
          sample_count: 4
          reconstruction_count: 4
        sweep:
          method: tpe
          trials: 6
          startup_trials: 3
          seed: 2
          scheduler: {type: asha, min_epochs: 1, reduction_factor: 3, max_epochs: 3}
          parameters:
            train.lr: {distribution: loguniform, min: 1.0e-4, max: 1.0e-2}
            loss.kl_weight: {distribution: loguniform, min: 1.0e-3, max: 1.0}
        """;

    [Fact]
    public async Task Promoted_trials_continue_in_their_own_runs_with_no_step_logged_twice_and_pruned_ones_end_finished()
    {
        var spec = workspace.WriteSpec(Spec);

        var result = await ExpProcess.RunAsync(workspace.Directory, "run", spec);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("promoted #", result.Output);
        Assert.Contains("pruned", result.Output);
        var trials = workspace.Trials("e2e-asha");
        Assert.Equal(6, trials.Count);
        Assert.All(trials, t => Assert.Equal(RunStatus.Finished, t.Run.Status));

        var promoted = trials.Where(t => !t.Tags.ContainsKey(TrialTags.Pruned)).ToList();
        var pruned = trials.Where(t => t.Tags.ContainsKey(TrialTags.Pruned)).ToList();
        // The steps of one epoch: what a pruned trial logged (the data's validation split is held out of the 600 images).
        var stepsPerEpoch = workspace.History(pruned[0], Metrics.TrainLoss).Count;
        Assert.InRange(stepsPerEpoch, 1, 600 / 50);
        // 6 trials at the first rung, a third of them (2) go on to 3 epochs.
        Assert.Equal(2, promoted.Count);
        Assert.Equal(4, pruned.Count);
        foreach (var trial in promoted)
        {
            // Continued from its checkpoint after epoch 1: one curve, every step once.
            Assert.Equal(Enumerable.Range(1, 3 * stepsPerEpoch).Select(i => (long)i), workspace.History(trial, Metrics.TrainLoss).Select(m => m.Step));
            Assert.Equal([1.0, 2.0, 3.0], workspace.History(trial, TrackingObserver.EpochMetric).Select(m => m.Value));
            Assert.Equal([stepsPerEpoch, 2L * stepsPerEpoch, 3L * stepsPerEpoch], workspace.History(trial, Metrics.Elbo).Select(m => m.Step));
            Assert.Contains(TrialTags.RungPrefix + "1", trial.Tags.Keys);
            Assert.Contains(TrialTags.RungPrefix + "3", trial.Tags.Keys);
        }
        foreach (var trial in pruned)
        {
            Assert.Equal(Enumerable.Range(1, stepsPerEpoch).Select(i => (long)i), workspace.History(trial, Metrics.TrainLoss).Select(m => m.Step));
            Assert.StartsWith("stopped at 1 of 3 epochs", trial.Tags[TrialTags.Pruned]);
        }
        // The two that went on were the best two at the first rung.
        double AtRung1(Exp.Runner.Catalog.TrialRecord t) => double.Parse(t.Tags[TrialTags.RungPrefix + "1"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(promoted.Min(AtRung1) >= pruned.Max(AtRung1));

        var sweepRun = workspace.Catalog.FindSweepRun(workspace.ExperimentId("e2e-asha"), trials[0].SweepRunId is { } id ? workspace.Store.GetTags(id)[TrialTags.SweepId] : "")!;
        Assert.Contains(SearchJournal.Artifact, workspace.Store.ListArtifacts(sweepRun.RunId));

        // Run again: the journal says the sweep is done; nothing trains.
        var histories = trials.ToDictionary(t => t.Run.RunId, t => workspace.History(t, Metrics.TrainLoss).Count);
        var again = await ExpProcess.RunAsync(workspace.Directory, "run", spec);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(6, workspace.Trials("e2e-asha").Count);
        Assert.All(workspace.Trials("e2e-asha"), t => Assert.Equal(histories[t.Run.RunId], workspace.History(t, Metrics.TrainLoss).Count));
    }

    public void Dispose() => workspace.Dispose();
}
