using Exp.Catalog;
using Exp.Cli.Tests.Support;
using Exp.Engine.Objective;
using Exp.Runner.Search;
using Exp.Runner.Trials;
using Exp.Spec;
using Exp.Testing;
using Exp.Tracking.Model;

namespace Exp.Cli.Tests;

/// <summary>`exp run` of a TPE + ASHA sweep end to end on a Fashion-MNIST subset.</summary>
public sealed class AdaptiveSweepRunTests : IDisposable
{
    private readonly Workspace workspace = new();

    /// <param name="sweep">The sweep block; the data, model and training are the same small ones for every test here.</param>
    private static string Spec(string experiment, int trainImages, string sweep) => $"""
        experiment: {experiment}
        data:
          dataset: fashion-mnist
          train_limit: {trainImages}
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
        {sweep}
        """;

    private const string TpeAsha = """
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
        var spec = workspace.WriteSpec(Spec("e2e-asha", 600, TpeAsha));

        var result = await ExpProcess.RunAsync(workspace.Directory, "run", spec);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("promoted #", result.Error);
        Assert.Contains("pruned", result.Error);
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
            Assert.Equal([1.0, 2.0, 3.0], workspace.History(trial, Metrics.Epoch).Select(m => m.Value));
            Assert.Equal([stepsPerEpoch, 2L * stepsPerEpoch, 3L * stepsPerEpoch], workspace.History(trial, Metrics.Elbo).Select(m => m.Step));
            // Its `objective` (what MLflow's compare view opens on) mirrors eval/elbo across segments, each value once.
            Assert.Equal(workspace.History(trial, Metrics.Elbo).Select(m => (m.Step, m.Value)), workspace.History(trial, ObjectiveMetric.Key).Select(m => (m.Step, m.Value)));
            Assert.Contains(TrialTags.RungPrefix + "1", trial.Tags.Keys);
            Assert.Contains(TrialTags.RungPrefix + "3", trial.Tags.Keys);
        }
        foreach (var trial in pruned)
        {
            Assert.Equal(Enumerable.Range(1, stepsPerEpoch).Select(i => (long)i), workspace.History(trial, Metrics.TrainLoss).Select(m => m.Step));
            Assert.StartsWith("stopped at 1 of 3 epochs", trial.Tags[TrialTags.Pruned]);
        }
        // The best at the first rung went on. (Not necessarily the best two: asynchronous halving
        // promotes the best of the first three before the others exist, and keeps that promotion.)
        double AtRung1(TrialRecord t) => double.Parse(t.Tags[TrialTags.RungPrefix + "1"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(trials.MaxBy(AtRung1)!, promoted);

        var sweepRun = workspace.Catalog.FindSweepRun(workspace.ExperimentId("e2e-asha"), trials[0].SweepRunId is { } id ? workspace.Store.GetTags(id)[TrialTags.SweepId] : "")!;
        Assert.Contains(SearchJournal.Artifact, workspace.Store.ListArtifacts(sweepRun.RunId));

        // Run again: the journal says the sweep is done; nothing trains.
        var histories = trials.ToDictionary(t => t.Run.RunId, t => workspace.History(t, Metrics.TrainLoss).Count);
        var again = await ExpProcess.RunAsync(workspace.Directory, "run", spec);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(6, workspace.Trials("e2e-asha").Count);
        Assert.All(workspace.Trials("e2e-asha"), t => Assert.Equal(histories[t.Run.RunId], workspace.History(t, Metrics.TrainLoss).Count));
    }

    [Fact]
    public async Task Exp_ls_show_and_the_summary_mark_pruned_trials_as_pruned_at_their_epoch_and_rank_only_trained_ones_best()
    {
        // Three trials to 2 epochs, one at a time: all three pause at epoch 1, the best third (one) goes on, two are pruned there.
        var spec = workspace.WriteSpec(Spec("e2e-pruned", 200, """
            sweep:
              scheduler: {type: asha, min_epochs: 1, reduction_factor: 3, max_epochs: 2}
              parameters:
                loss.kl_weight: [0.001, 0.1, 1.0]
            """));

        var run = await ExpProcess.RunAsync(workspace.Directory, "run", spec, "--parallel", "1");

        Assert.True(run.ExitCode == 0, run.ToString());
        var trials = workspace.Trials("e2e-pruned");
        var pruned = trials.Where(t => t.Tags.ContainsKey(TrialTags.Pruned)).ToList();
        var trained = Assert.Single(trials, t => !t.Tags.ContainsKey(TrialTags.Pruned));
        Assert.Equal(2, pruned.Count);
        Assert.All(trials, t => Assert.Equal(RunStatus.Finished, t.Run.Status));
        // The end of `exp run`: two pruned trials are not "finished" ones.
        Assert.Contains("1 of 3 trials finished, 2 pruned early in", run.Output);
        Assert.All(pruned, t => Assert.Contains("pruned at 1/2", Row(run.Output, t.TrialId)));

        var listing = await ExpProcess.RunAsync(workspace.Directory, "ls");

        Assert.True(listing.ExitCode == 0, listing.ToString());
        Assert.Contains("3 trial(s) (2 pruned)", listing.Output);
        Assert.Contains($"best {trained.Name}", listing.Output);
        Assert.All(pruned, t => Assert.Matches(@"│\s*pruned at 1/2\s*│", Row(listing.Output, t.TrialId)));
        Assert.Matches(@"│\s*finished\s*│", Row(listing.Output, trained.TrialId));
        // Trained to the end first, then the pruned ones.
        var order = listing.Output.Split('\n').Select(line => trials.FirstOrDefault(t => line.Contains(t.TrialId))).OfType<TrialRecord>().ToList();
        Assert.Equal(trained.TrialId, order[0].TrialId);

        var shown = await ExpProcess.RunAsync(workspace.Directory, "show", pruned[0].TrialId);

        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains($"run {pruned[0].RunId} in experiment {pruned[0].ExperimentId}: pruned at 1/2", shown.Output);
        Assert.Contains("pruned: stopped at 1 of 2 epochs", shown.Output);

        // What running it again would do: skip them, as pruned.
        var dryRun = await ExpProcess.RunAsync(workspace.Directory, "run", spec, "--dry-run");

        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.All(pruned, t => Assert.Contains("pruned at 1/2: would skip", Row(dryRun.Output, t.TrialId)));
        Assert.Contains("finished: would skip", Row(dryRun.Output, trained.TrialId));

        // Running it again trains nothing and says what was done before.
        var again = await ExpProcess.RunAsync(workspace.Directory, "run", spec);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("3 trial(s), 1 finished before, 2 pruned before;", again.Error);
        Assert.Contains("1 of 3 trials finished, 2 pruned early in", again.Output);

        static string Row(string output, string trialId) =>
            Assert.Single(output.Split('\n'), line => line.Contains(trialId) && line.Contains('│'));
    }

    public void Dispose() => workspace.Dispose();
}
