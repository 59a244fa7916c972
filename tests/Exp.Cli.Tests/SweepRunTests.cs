using Exp.Catalog;
using Exp.Cli.Output;
using Exp.Cli.Tests.Support;
using Exp.Engine.Objective;
using Exp.Runner.Trials;
using Exp.Spec;
using Exp.Testing;
using Exp.Tracking.Model;

namespace Exp.Cli.Tests;

/// <summary>`exp run` end to end on Fashion-MNIST subsets: the sweep, its runs, resume, failures.</summary>
public sealed class SweepRunTests : IDisposable
{
    private readonly Workspace workspace = new();

    /// <param name="trainImages">Images to train on; a tenth more are loaded and held out for validation.</param>
    private static string Spec(string experiment, int trainImages, int epochs, string sweep) => $"""
        experiment: {experiment}
        data:
          dataset: fashion-mnist
          train_limit: {(int)Math.Ceiling(trainImages / 0.9)}
          test_limit: 200
        model:
          channels: [8, 16]
          latent_dim: 4
        loss:
          noise_sigma: 0.2
        train:
          epochs: {epochs}
          batch_size: 50
          lr: 1.0e-3
          log_every: 1
        eval:
          sample_count: 16
          reconstruction_count: 8
          test_iwae_samples: 10
        {sweep}
        """;

    private const string KlGrid = """
        sweep:
          parameters:
            loss.kl_weight: [0.1, 0.5, 1.0]
        """;

    [Fact]
    public async Task A_grid_sweep_leaves_a_parent_run_and_a_child_run_per_trial_with_metrics_and_grids()
    {
        var spec = workspace.WriteSpec(Spec("e2e-grid", 1000, 1, KlGrid));

        var result = await ExpProcess.RunAsync(workspace.Directory, "run", spec, "--parallel", "2");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("trials, best held-out ELBO first", result.Output);
        Assert.Contains("mlflow ui --backend-store-uri", result.Output);
        var experimentId = workspace.ExperimentId("e2e-grid");
        var runs = workspace.Store.ListRuns(experimentId);
        Assert.Equal(4, runs.Count);
        var parent = Assert.Single(runs, run => workspace.Store.GetTags(run.RunId).ContainsKey(TrialTags.SweepId));
        Assert.Equal(RunStatus.Finished, parent.Status);
        var trials = workspace.Trials("e2e-grid");
        Assert.Equal(3, trials.Count);
        foreach (var trial in trials)
        {
            Assert.Equal(RunStatus.Finished, trial.Run.Status);
            Assert.Equal(parent.RunId, trial.SweepRunId);
            Assert.StartsWith("kl_weight=", trial.Name);
            Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), workspace.History(trial, Metrics.TrainLoss).Select(m => m.Step));
            Assert.Equal(20, Assert.Single(workspace.History(trial, Metrics.Elbo)).Step);
            Assert.Equal("fashion-mnist", workspace.Store.GetParams(trial.Run.RunId)["data.dataset"]);
            // What the trial computed its convolutions with, as the trainer settled it for this model.
            Assert.Contains(workspace.Store.GetTags(trial.Run.RunId)[TrialTags.CpuKernels], new[] { "onednn-native", "onednn-isa-avx", "onednn-off" });
            var artifacts = workspace.Store.ListArtifacts(trial.Run.RunId);
            // The epoch's pictures at the step of its metrics: 1000 images in batches of 50 end epoch 1 at step 20.
            Assert.Contains(artifacts, a => a.StartsWith("images/samples%step%20%", StringComparison.Ordinal));
            Assert.Contains(artifacts, a => a.StartsWith("images/reconstructions%step%20%", StringComparison.Ordinal));
            Assert.Contains("config.json", artifacts);
            Assert.Contains(RunFolders.LogArtifactPath, artifacts);
        }

        var again = await ExpProcess.RunAsync(workspace.Directory, "run", spec);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(4, workspace.Store.ListRuns(experimentId).Count);
        Assert.Contains("3 finished before", again.Error);
        Assert.Equal(trials.Select(t => t.Run), workspace.Trials("e2e-grid").Select(t => t.Run));

        var listing = await ExpProcess.RunAsync(workspace.Directory, "ls");
        Assert.True(listing.ExitCode == 0, listing.ToString());
        Assert.All(trials, trial => Assert.Contains(trial.TrialId, listing.Output));
        var shown = await ExpProcess.RunAsync(workspace.Directory, "show", trials[0].TrialId);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains("loss.kl_weight", shown.Output);
        Assert.Contains(Metrics.Elbo, shown.Output);
        // Image files are named by step; show says which epoch they are from.
        Assert.Contains("pictures of epoch 1 (step 20): kl_per_dimension, reconstructions, samples", shown.Output);
    }

    [Fact]
    public async Task Replicates_run_each_configuration_per_seed_tagged_by_configuration_and_ls_show_and_the_summary_give_mean_and_sd()
    {
        var spec = workspace.WriteSpec(Spec("e2e-replicates", 500, 1, """
            sweep:
              replicates: 2
              parameters:
                loss.kl_weight: [0.1, 1.0]
            """));

        var result = await ExpProcess.RunAsync(workspace.Directory, "run", spec, "--parallel", "2");

        Assert.True(result.ExitCode == 0, result.ToString());
        var trials = workspace.Trials("e2e-replicates");
        Assert.Equal(["kl_weight=0.1,seed=0", "kl_weight=0.1,seed=1", "kl_weight=1,seed=0", "kl_weight=1,seed=1"], trials.Select(t => t.Name).Order());
        var groups = trials.GroupBy(t => t.Tags[TrialTags.ConfigGroup]).ToList();
        Assert.Equal(2, groups.Count);
        Assert.All(groups, g => Assert.Equal(["1", "2"], g.Select(t => t.Tags[TrialTags.Replicate]).Order()));
        // The summary ranks configurations by their mean ELBO, each as mean ± sd over its two seeds (sample sd, n - 1).
        var elbos = groups.ToDictionary(g => g.First().Name.Split(',')[0], g => g.Select(t => t.Metrics[Metrics.Elbo]).ToList());
        var best = elbos.MaxBy(m => m.Value.Average()).Key;
        var expected = $"{NumberFormat.Value(elbos[best].Average())} ± {NumberFormat.Value(SampleSd(elbos[best]))}";
        Assert.Contains("configurations, best held-out ELBO first by the mean over replicates", result.Output);
        Assert.Contains(expected, result.Output);

        var ls = await ExpProcess.RunAsync(workspace.Directory, "ls");
        Assert.True(ls.ExitCode == 0, ls.ToString());
        Assert.Contains($"best {best}", ls.Output);
        Assert.Contains("configurations, best mean ELBO first", ls.Output);
        Assert.Contains(expected, ls.Output);

        var show = await ExpProcess.RunAsync(workspace.Directory, "show", $"{best},seed=1");
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains($"configuration {best}: 2 replicates (2 finished)", show.Output);
        Assert.Contains($"{expected} (2)", show.Output);
    }

    /// <summary>The reference: the textbook sample standard deviation, sqrt(sum (x - mean)^2 / (n - 1)).</summary>
    private static double SampleSd(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    [Fact]
    public async Task After_kill_9_the_same_command_resumes_the_interrupted_trial_and_skips_finished_ones()
    {
        // Four epochs: the kill lands in the second, well before the trial could finish. The wait is
        // long because the first trial must finish first, which takes minutes on a loaded machine.
        const int epochs = 4;
        var spec = workspace.WriteSpec(Spec("e2e-resume", 3000, epochs, KlGrid));
        const int stepsPerEpoch = 60;

        using (var first = ExpProcess.Start(workspace.Directory, "run", spec, "--parallel", "1"))
        {
            await WaitUntil(() => TrialIsInItsSecondEpoch("e2e-resume", stepsPerEpoch, finishedBefore: 1), TimeSpan.FromMinutes(8), first);
            first.KillHard();
            await first.WaitAsync();
        }
        var before = workspace.Trials("e2e-resume").ToDictionary(t => t.TrialId);
        Assert.Equal(2, before.Count);
        var finishedFirst = Assert.Single(before.Values, t => t.Run.Status == RunStatus.Finished);
        var interrupted = Assert.Single(before.Values, t => t.Run.Status != RunStatus.Finished);
        // The trial process notices its parent's death by itself; until it has exited it still writes
        // its run, and a new `exp run` would rightly leave the trial to it.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!RunIsIdle(interrupted.Run.RunId))
        {
            Assert.True(DateTime.UtcNow < deadline, "the orphaned trial process never let go of its run");
            await Task.Delay(100);
        }

        var second = await ExpProcess.RunAsync(workspace.Directory, "run", spec, "--parallel", "1");

        Assert.True(second.ExitCode == 0, second.ToString());
        var after = workspace.Trials("e2e-resume");
        Assert.Equal(3, after.Count);
        Assert.All(after, t => Assert.Equal(RunStatus.Finished, t.Run.Status));
        var unchanged = after.Single(t => t.TrialId == finishedFirst.TrialId);
        Assert.Equal(finishedFirst.Run, unchanged.Run);
        var resumed = after.Single(t => t.TrialId == interrupted.TrialId);
        Assert.Equal(interrupted.Run.RunId, resumed.Run.RunId);
        Assert.Contains("resumed", second.Error);
        foreach (var trial in after)
        {
            foreach (var key in workspace.Store.GetMetricKeys(trial.Run.RunId))
            {
                var steps = workspace.History(trial, key).Select(m => m.Step).ToList();
                Assert.True(steps.Count == steps.Distinct().Count(), $"{trial.Name} has a step twice in {key}: {string.Join(",", steps)}");
            }
            Assert.Equal(epochs * stepsPerEpoch, workspace.History(trial, Metrics.TrainLoss).Count);
            Assert.Equal(epochs, workspace.History(trial, Metrics.Elbo).Count);
        }
        var log = File.ReadAllText(RunFolders.Log(workspace.Store.RunDirectory(resumed.Run.RunId)));
        Assert.Contains("Resuming from the checkpoint of epoch 1", log);
    }

    [Fact]
    public async Task Ctrl_c_stops_running_trials_gracefully_as_killed_and_the_next_run_resumes_them()
    {
        // Six epochs: the stop lands in the second, and the trial must not finish before it takes effect.
        var spec = workspace.WriteSpec(Spec("e2e-stop", 3000, 6, KlGrid));
        const int stepsPerEpoch = 60;

        ExpResult stopped;
        using (var first = ExpProcess.Start(workspace.Directory, "run", spec, "--parallel", "1"))
        {
            await WaitUntil(() => TrialIsInItsSecondEpoch("e2e-stop", stepsPerEpoch, finishedBefore: 0), TimeSpan.FromMinutes(8), first);
            first.Interrupt();
            stopped = await first.WaitAsync();
        }

        Assert.True(stopped.ExitCode == 130, stopped.ToString());
        var trial = Assert.Single(workspace.Trials("e2e-stop"));
        Assert.True(trial.Run.Status == RunStatus.Killed, $"the trial is {trial.Run.Status}; {stopped}");
        Assert.Contains("stopped by the user", trial.Failure);
        var sweepRun = workspace.Store.ListRuns(workspace.ExperimentId("e2e-stop")).Single(r => r.RunId == trial.SweepRunId);
        Assert.Equal(RunStatus.Killed, sweepRun.Status);
        Assert.Contains("not run", stopped.Output);

        var resumed = await ExpProcess.RunAsync(workspace.Directory, "run", spec, "--parallel", "2");

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var after = workspace.Trials("e2e-stop");
        Assert.Equal(3, after.Count);
        Assert.All(after, t => Assert.Equal(RunStatus.Finished, t.Run.Status));
        Assert.Equal(trial.Run.RunId, after.Single(t => t.TrialId == trial.TrialId).Run.RunId);
        Assert.Contains("resumed", resumed.Error);
    }

    [Fact]
    public async Task A_trial_over_its_time_limit_is_killed_and_marked_failed_while_the_sweep_goes_on()
    {
        var spec = workspace.WriteSpec(Spec("e2e-timeout", 10000, 20, """
            execution:
              trial_timeout_minutes: 0.05
            """));

        var result = await ExpProcess.RunAsync(workspace.Directory, "run", spec);

        Assert.Equal(1, result.ExitCode);
        var trial = Assert.Single(workspace.Trials("e2e-timeout"));
        Assert.Equal(RunStatus.Failed, trial.Run.Status);
        Assert.Contains("did not finish within execution.trial_timeout_minutes (0.05 min)", trial.Failure);
    }

    [Fact]
    public async Task Editing_the_spec_during_a_sweep_does_not_change_the_trials_still_to_run()
    {
        var yaml = Spec("e2e-edit", 1000, 2, """
            sweep:
              parameters:
                loss.kl_weight: [0.1, 1.0]
            """);
        var spec = workspace.WriteSpec(yaml);

        using (var sweep = ExpProcess.Start(workspace.Directory, "run", spec, "--parallel", "1"))
        {
            await WaitUntil(() => workspace.Store.GetExperimentByName("e2e-edit") is not null && workspace.Trials("e2e-edit").Count >= 1, TimeSpan.FromMinutes(2), sweep);
            workspace.WriteSpec(yaml.Replace("batch_size: 50", "batch_size: 20"));
            var result = await sweep.WaitAsync();
            Assert.True(result.ExitCode == 0, result.ToString());
        }

        var trials = workspace.Trials("e2e-edit");
        Assert.Equal(2, trials.Count);
        Assert.All(trials, t => Assert.Equal("50", workspace.Store.GetParams(t.Run.RunId)["train.batch_size"]));
        Assert.All(trials, t => Assert.Equal(RunStatus.Finished, t.Run.Status));
    }

    [Fact]
    public async Task A_diverging_trial_fails_with_the_step_while_the_others_finish()
    {
        var spec = workspace.WriteSpec(Spec("e2e-diverge", 500, 1, """
            sweep:
              method: list
              trials:
                - {train.lr: 1.0e-3}
                - {train.optimizer: sgd, train.lr: 1.0e+12}
            """));

        var result = await ExpProcess.RunAsync(workspace.Directory, "run", spec);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("non-finite loss at step", result.Output);
        var trials = workspace.Trials("e2e-diverge");
        var failed = Assert.Single(trials, t => t.Run.Status == RunStatus.Failed);
        Assert.Contains("non-finite loss at step", failed.Failure);
        Assert.Single(trials, t => t.Run.Status == RunStatus.Finished);
    }

    [Fact]
    public async Task A_trial_process_that_aborts_natively_is_marked_failed_with_its_signal()
    {
        var spec = workspace.WriteSpec(Spec("e2e-abort", 500, 1, ""));

        var result = await ExpProcess.RunAsync(
            workspace.Directory, new Dictionary<string, string> { [FaultInjection.Variable] = "abort-at-step:3" }, "run", spec);

        Assert.NotEqual(0, result.ExitCode);
        var trial = Assert.Single(workspace.Trials("e2e-abort"));
        Assert.Equal(RunStatus.Failed, trial.Run.Status);
        Assert.Contains("signal 6", trial.Failure);
        Assert.Contains("aborting at step 3", trial.Tags[TrialTags.Note]);
    }

    /// <summary>After <paramref name="finishedBefore"/> trials finished, the running one has its first checkpoint and is well into its second epoch.</summary>
    private bool TrialIsInItsSecondEpoch(string experiment, int stepsPerEpoch, int finishedBefore)
    {
        if (!Directory.Exists(workspace.Runs) || workspace.Store.GetExperimentByName(experiment) is null)
        {
            return false;
        }
        var trials = workspace.Trials(experiment);
        var running = trials.Where(t => t.Run.Status == RunStatus.Running).ToList();
        return trials.Count(t => t.Run.Status == RunStatus.Finished) == finishedBefore
            && running.Count == 1
            && File.Exists(Path.Combine(RunFolders.Checkpoints(workspace.Store, running[0].Run.RunId), "latest"))
            && workspace.History(running[0], Metrics.TrainLoss).Count > stepsPerEpoch + 5;
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout, ExpProcess process)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!SafeCheck(condition))
        {
            if (DateTime.UtcNow > deadline)
            {
                process.KillHard();
                Assert.Fail($"timed out waiting; the process said:\n{await process.WaitAsync()}");
            }
            await Task.Delay(50);
        }
    }

    private bool RunIsIdle(string runId)
    {
        using var writer = workspace.Store.TryLockRunForWriting(runId);
        return writer is not null;
    }

    /// <summary>The store is being written while we look; a half-written file reads as "not yet".</summary>
    private static bool SafeCheck(Func<bool> condition)
    {
        try
        {
            return condition();
        }
        catch (Exception e) when (e is IOException or KeyNotFoundException or InvalidDataException or FormatException)
        {
            return false;
        }
    }

    public void Dispose() => workspace.Dispose();
}
